package dev.mayfly.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mayfly.Mayfly;
import dev.mayfly.MayflyConfig;
import dev.mayfly.QueueConfig;
import dev.mayfly.api.AttemptInfo;
import dev.mayfly.api.Job;
import dev.mayfly.api.JobContext;
import dev.mayfly.api.JobState;
import dev.mayfly.api.JobType;
import dev.mayfly.api.Outcome;
import dev.mayfly.api.RunnerFilter;
import dev.mayfly.kubernetes.emulator.KubernetesEmulator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's {@code kubectl delete job} of a running runner, on the emulated cluster Mayfly finds by
 * the kubeconfig alone: the runner, given SIGTERM, finishes its job, and no attempt overlaps
 * another. (kubectl's and the Python client's view of the emulated cluster is the emulator's own
 * test, {@code dev.mayfly.kubernetes.emulator.KubectlTest}.)
 */
@Tag("processes")
class KubectlDeleteJobTest {
  private static final String NS = "mayfly";
  private static final String IMAGE = "mayfly-runner:emulated";

  @TempDir Path dir;
  private KubernetesEmulator cluster;
  private Path kubeconfig;
  private String db;

  /** A job that says when it ran (to a file, so that two runs at once would show) and prints. */
  @JobType(value = "kubectl-work", timeoutSeconds = 120)
  public static final class Work implements Job<Work.Args> {
    public record Args(String record, int lines, long pauseMillis) {}

    @Override
    public Outcome perform(Args args, JobContext ctx) throws Exception {
      Path record = Path.of(args.record());
      String pod = System.getenv("HOSTNAME");
      Files.writeString(
          record,
          "start " + pod + " " + Instant.now() + "\n",
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      try {
        for (int i = 0; i < args.lines(); i++) {
          System.out.println("line " + i + " of " + pod);
          Thread.sleep(args.pauseMillis()); // the job's work, spread over time
        }
      } finally {
        Files.writeString(
            record, "end " + pod + " " + Instant.now() + "\n", StandardOpenOption.APPEND);
      }
      return Outcome.success();
    }
  }

  @BeforeEach
  void start() throws IOException {
    db = "jdbc:sqlite:" + dir.resolve("store.db");
    cluster =
        KubernetesEmulator.start()
            .image(IMAGE, KubernetesTestJobs.javaImage("dev.mayfly.runner.RunnerMain"));
    cluster.secret(NS, "mayfly-db", Map.of("MAYFLY_DATABASE_URL", db));
    kubeconfig =
        cluster.writeKubeconfig(
            dir.resolve("kubeconfig"), NS, Map.of("image", IMAGE, "secret", "mayfly-db"));
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  /** Mayfly on the emulated cluster, found as a user's app finds it: by the kubeconfig alone. */
  private Mayfly mayfly() {
    return Mayfly.create(
            MayflyConfig.builder()
                .database(db)
                .environment(Map.of("KUBECONFIG", kubeconfig.toString()))
                .jobs(Work.class)
                .defaults(
                    QueueConfig.defaults("default")
                        .launcher("kubernetes")
                        .maxRunners(1)
                        .idleExit(Duration.ofMillis(300)))
                .build())
        .start();
  }

  private record Run(int code, String out, String err) {
    String all() {
      return out + err;
    }
  }

  private ProcessBuilder command(String... args) {
    List<String> cmd = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("HOME", dir.toString()); // kubectl's discovery cache stays here
    pb.environment().remove("KUBECONFIG");
    return pb;
  }

  private Run kubectl(String... args) throws Exception {
    return run(command(args), "kubectl " + String.join(" ", args));
  }

  private Run run(ProcessBuilder pb, String what) throws Exception {
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    Process p;
    try {
      p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    } catch (IOException e) {
      throw new IllegalStateException(
          what + ": this test runs kubectl: install Debian's kubernetes-client (.ci/run does)", e);
    }
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).as("%s finished", what).isTrue();
    return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  private static String runningPod(KubernetesEmulator cluster) {
    return await()
        .atMost(Duration.ofMinutes(1))
        .until(cluster::runningPods, pods -> !pods.isEmpty())
        .getFirst()
        .split("/")[1];
  }

  private static String jobOf(String pod) {
    return pod.substring(0, pod.lastIndexOf('-'));
  }

  @Test
  void deletingTheJobOfARunningRunnerEndsItsJobOnceWithNoOverlappingAttempts() throws Exception {
    Path record = dir.resolve("runs");
    try (Mayfly mayfly = mayfly()) {
      long id = mayfly.enqueue(Work.class, new Work.Args(record.toString(), 10, 400));
      String pod = runningPod(cluster);
      await()
          .atMost(Duration.ofMinutes(1))
          .until(() -> mayfly.admin().job(id).orElseThrow().state() == JobState.RUNNING);

      Run deleted = kubectl("delete", "job", jobOf(pod));
      assertThat(deleted.code()).as(deleted.all()).isZero();
      assertThat(deleted.out()).contains("job.batch \"" + jobOf(pod) + "\" deleted");
      // the pod stays while its runner, given SIGTERM, finishes the job it runs
      assertThat(kubectl("get", "pod", pod).out()).containsPattern(pod + "\\s+1/1\\s+Terminating");
      assertThat(kubectl("get", "pod", pod, "-o", "jsonpath={.metadata.deletionTimestamp}").out())
          .isNotEmpty();

      await()
          .atMost(Duration.ofMinutes(1))
          .until(() -> mayfly.admin().job(id).orElseThrow().state() == JobState.SUCCEEDED);
      await()
          .atMost(Duration.ofMinutes(1))
          .until(() -> mayfly.admin().runners(RunnerFilter.all().alive(true)).isEmpty());
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> kubectl("get", "pods", "-o", "name").out().isEmpty());

      List<AttemptInfo> attempts = mayfly.admin().jobDetail(id).orElseThrow().attempts();
      assertThat(attempts).extracting(AttemptInfo::outcome).containsOnlyOnce("succeeded");
      for (int i = 1; i < attempts.size(); i++) {
        assertThat(attempts.get(i).startedAt())
            .as("attempt %d starts after attempt %d ended", i + 1, i)
            .isAfterOrEqualTo(attempts.get(i - 1).finishedAt());
      }
      // and the job's own record: it never ran twice at once
      List<String> runs = Files.readAllLines(record);
      assertThat(runs).hasSizeGreaterThanOrEqualTo(2);
      for (int i = 0; i < runs.size(); i++) {
        assertThat(runs.get(i)).startsWith(i % 2 == 0 ? "start " : "end ");
      }
      assertThat(cluster.maxRunning()).isEqualTo(1);
    }
  }
}
