package dev.mayfly.launch.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mayfly.launch.LaunchRequest;
import dev.mayfly.launch.Launcher;
import dev.mayfly.launch.RunnerExit;
import dev.mayfly.launch.RunnerHandle;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Launcher} does alike, whatever the platform: a runner's exit code, its output
 * whole and in order by the time its exit is known, the time-to-live enforced, {@code stop}
 * honoured, and a runner that dies at start reported with what it printed. Each launcher's test
 * extends this with a launcher whose runners are {@link ContractProcess} (or, on a platform that
 * cannot run it, a command that behaves the same: see {@link #request}).
 */
public abstract class LauncherContract {
  /** Generous: a pod or dyno start on a busy machine, not a measure of speed. */
  private static final Duration WITHIN = Duration.ofSeconds(90);

  protected final List<String> output = new CopyOnWriteArrayList<>();
  private Launcher launcher;

  /**
   * A launcher whose runners run {@link ContractProcess}, doing what {@code MAYFLY_CONTRACT} says.
   */
  protected abstract Launcher newLauncher() throws Exception;

  /** A request whose runner does {@code behaviour} (see {@link ContractProcess}). */
  protected LaunchRequest request(String runnerId, String behaviour, Duration timeToLive) {
    return new LaunchRequest(
        runnerId,
        "contract",
        Map.of("MAYFLY_CONTRACT", behaviour),
        timeToLive,
        "standard-1x",
        output::add,
        null);
  }

  @BeforeEach
  void createLauncher() throws Exception {
    launcher = newLauncher();
  }

  @AfterEach
  void closeLauncher() {
    launcher.close();
    afterLauncherClosed();
  }

  /**
   * Stops what the launcher talked to (an emulated platform), once the launcher is closed: a
   * subclass's own {@code @AfterEach} would run first, while the launcher still holds connections
   * to it.
   */
  protected void afterLauncherClosed() {}

  private RunnerHandle launch(String runnerId, String behaviour, Duration timeToLive)
      throws Exception {
    return launcher.launch(request(runnerId, behaviour, timeToLive));
  }

  private static RunnerExit exit(RunnerHandle handle) throws Exception {
    return handle.exit().get(WITHIN.toSeconds(), TimeUnit.SECONDS);
  }

  @Test
  void aRunnersExitCodeIsReported() throws Exception {
    RunnerHandle h = launch("r-contract01", "exit 3", Duration.ofMinutes(5));
    assertThat(h.platformId()).isNotBlank();
    assertThat(exit(h).exitCode()).isEqualTo(3);
  }

  @Test
  void everyLineReachesTheOutputInOrderByTheTimeTheExitIsKnown() throws Exception {
    RunnerHandle h = launch("r-contract02", "print 300", Duration.ofMinutes(5));
    assertThat(exit(h).exitCode()).isZero();
    assertThat(output.stream().filter(l -> l.startsWith("line ")).toList())
        .containsExactlyElementsOf(IntStream.range(0, 300).mapToObj(i -> "line " + i).toList());
  }

  @Test
  void theTimeToLiveEndsARunnerThatDoesNotLeave() throws Exception {
    RunnerHandle h = launch("r-contract03", "sleep", Duration.ofSeconds(3));
    assertEndedAbnormally(exit(h));
    assertThat(output).contains("sleeping");
  }

  @Test
  void stopEndsARunner() throws Exception {
    RunnerHandle h = launch("r-contract04", "sleep", Duration.ofMinutes(10));
    await().atMost(WITHIN).until(() -> output.contains("sleeping"));
    launcher.stop(h.platformId());
    assertEndedAbnormally(exit(h));
  }

  /**
   * Killed, not finished: a non-zero code, or none where the platform cannot tell (a deleted pod's
   * object may be gone before its container's end is written).
   */
  private static void assertEndedAbnormally(RunnerExit e) {
    assertThat(e.exitCode() == null || e.exitCode() != 0).as("exit %s", e).isTrue();
  }

  @Test
  void aRunnerThatDiesAtStartIsReportedWithWhatItPrinted() throws Exception {
    RunnerHandle h = launch("r-contract05", "crash", Duration.ofMinutes(5));
    RunnerExit e = exit(h);
    assertThat(e.exitCode()).as(e.detail()).isEqualTo(1);
    assertThat(output).anyMatch(l -> l.contains("contract crash: the runner cannot start"));
  }
}
