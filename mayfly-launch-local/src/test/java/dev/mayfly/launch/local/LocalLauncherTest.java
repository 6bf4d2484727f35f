package dev.mayfly.launch.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.mayfly.launch.LaunchException;
import dev.mayfly.launch.LaunchRequest;
import dev.mayfly.launch.RunnerExit;
import dev.mayfly.launch.RunnerHandle;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LocalLauncherTest {
  private LocalLauncher launcher;
  private final List<String> output = new CopyOnWriteArrayList<>();

  private LocalLauncher launcher(Class<?> main, Duration stopGrace) {
    launcher =
        new LocalLauncher(
            LocalOptions.defaults().withMainClass(main.getName()).withStopGrace(stopGrace),
            InstantSource.system());
    return launcher;
  }

  private LaunchRequest request(Map<String, String> env, Duration ttl) {
    return new LaunchRequest("r-test", "default", env, ttl, "standard-1x", output::add, null);
  }

  @AfterEach
  void close() {
    if (launcher != null) {
      launcher.close();
    }
  }

  @Test
  void capturesEveryLineInOrderPassesTheEnvironmentAndRecordsTheExitCode() throws Exception {
    RunnerHandle h =
        launcher(TestMains.Echo.class, Duration.ofSeconds(5))
            .launch(
                request(
                    Map.of("LINES", "500", "GREETING", "hello", "EXIT_CODE", "7"),
                    Duration.ofMinutes(1)));

    RunnerExit exit = h.exit().get(30, TimeUnit.SECONDS);

    assertThat(exit.exitCode()).isEqualTo(7);
    assertThat(Long.parseLong(h.platformId())).isNotEqualTo(ProcessHandle.current().pid());
    assertThat(output.getFirst()).isEqualTo("greeting hello");
    assertThat(output.subList(1, 501))
        .containsExactlyElementsOf(IntStream.range(0, 500).mapToObj(i -> "line " + i).toList());
    assertThat(output).contains("to stderr");
    assertThat(launcher.exited(h.platformId())).isEmpty(); // told through the handle, forgotten
  }

  @Test
  void aLineLongerThanTheRequestsMaxLineIsCutWhileItIsRead() throws Exception {
    RunnerHandle h =
        launcher(TestMains.LongLine.class, Duration.ofSeconds(5))
            .launch(
                new LaunchRequest(
                    "r-test",
                    "default",
                    Map.of("LONG_LINE", Integer.toString(20 * 1024 * 1024)),
                    Duration.ofMinutes(1),
                    "standard-1x",
                    output::add,
                    null,
                    1024));

    assertThat(h.exit().get(60, TimeUnit.SECONDS).exitCode()).isZero();
    assertThat(output).hasSize(3);
    assertThat(output.get(1)).isEqualTo("short");
    for (String cut : List.of(output.get(0), output.get(2))) {
      assertThat(cut)
          .matches("x+\\.\\.\\. \\[truncated \\d+ bytes\\]")
          .hasSizeLessThanOrEqualTo(1024);
      long kept = cut.indexOf("...");
      assertThat(cut).endsWith("[truncated " + (20 * 1024 * 1024 - kept) + " bytes]");
    }
  }

  @Test
  void aRunnerIsTerminatedAtItsTimeToLive() throws Exception {
    RunnerHandle h =
        launcher(TestMains.Forever.class, Duration.ofSeconds(5))
            .launch(request(Map.of(), Duration.ofSeconds(2)));
    await().atMost(Duration.ofSeconds(20)).until(() -> output.contains("ready"));
    assertThat(launcher.exited(h.platformId())).isEmpty();

    RunnerExit exit = h.exit().get(30, TimeUnit.SECONDS);

    assertThat(exit.exitCode()).isEqualTo(143); // SIGTERM
    assertThat(exit.detail()).contains("time-to-live");
  }

  @Test
  void aRunnerThatIgnoresSigtermIsKilledAfterTheGracePeriod() throws Exception {
    RunnerHandle h =
        launcher(TestMains.IgnoresSigterm.class, Duration.ofSeconds(1))
            .launch(request(Map.of(), Duration.ofMinutes(5)));
    await().atMost(Duration.ofSeconds(20)).until(() -> output.contains("ready"));

    launcher.stop(h.platformId());
    RunnerExit exit = h.exit().get(30, TimeUnit.SECONDS);

    assertThat(output).contains("refusing to stop");
    assertThat(exit.exitCode()).isEqualTo(137); // SIGKILL
  }

  @Test
  void aMissingJavaBinaryIsALaunchFailureThatSaysWhatToCheck() {
    LocalOptions d = LocalOptions.defaults();
    launcher =
        new LocalLauncher(
            d.withJavaBinary(Path.of("/nonexistent/bin/java")).withStartupCache(null),
            InstantSource.system());
    assertThatThrownBy(() -> launcher.launch(request(Map.of(), Duration.ofMinutes(1))))
        .isInstanceOf(LaunchException.class)
        .hasMessageContaining("/nonexistent/bin/java")
        .hasMessageContaining("r-test")
        .hasMessageContaining("stay queued");
  }
}
