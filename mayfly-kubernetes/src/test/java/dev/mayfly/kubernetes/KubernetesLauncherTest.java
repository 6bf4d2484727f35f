package dev.mayfly.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.mayfly.Mayfly;
import dev.mayfly.MayflyConfig;
import dev.mayfly.QueueConfig;
import dev.mayfly.api.JobState;
import dev.mayfly.api.RunnerFilter;
import dev.mayfly.api.RunnerInfo;
import dev.mayfly.api.RunnerState;
import dev.mayfly.kubernetes.emulator.KubernetesEmulator;
import dev.mayfly.launch.LaunchRequest;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runners as Jobs on the emulated cluster: real pods as local processes, real watches. */
@Tag("processes")
class KubernetesLauncherTest {
  private static final String NS = "mayfly-test";
  private static final String IMAGE = "registry.example/app:1";

  @TempDir Path dir;
  private KubernetesEmulator cluster;

  @BeforeEach
  void start() {
    cluster =
        KubernetesEmulator.start()
            .image(IMAGE, KubernetesTestJobs.javaImage("dev.mayfly.runner.RunnerMain"));
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  private KubernetesLauncher launcher(String image, String secret) {
    return new KubernetesLauncher(
        new KubernetesConfig(image, KubernetesConfig.DEFAULT_COMMAND, null, secret, null, 10),
        cluster.client(NS),
        InstantSource.system());
  }

  private MayflyConfig.Builder onCluster(String db, KubernetesLauncher launcher) {
    cluster.secret(NS, "app-db", Map.of("MAYFLY_DATABASE_URL", db));
    return MayflyConfig.builder().database(db).environment(Map.of()).launcher(launcher);
  }

  @Test
  void aJobHasOnePodNoKubernetesRetriesADeadlineATtlAndItsSecretsByReference() throws Exception {
    try (KubernetesLauncher launcher = launcher(IMAGE, "app-db")) {
      LaunchRequest request =
          new LaunchRequest(
              "r-abc123",
              "reports",
              Map.of("MAYFLY_RUNNER_ID", "r-abc123", "MAYFLY_DATABASE_URL", "jdbc:secret"),
              Duration.ofMinutes(10),
              "medium",
              line -> {},
              null);
      Job job = launcher.job(request);

      assertThat(job.getMetadata().getName()).isEqualTo("mayfly-r-abc123");
      assertThat(job.getMetadata().getLabels())
          .containsEntry("app.kubernetes.io/managed-by", "mayfly")
          .containsEntry("mayfly.dev/runner", "r-abc123")
          .containsEntry("mayfly.dev/queue", "reports");
      var spec = job.getSpec();
      assertThat(spec.getBackoffLimit()).isZero();
      assertThat(spec.getActiveDeadlineSeconds()).isEqualTo(600);
      assertThat(spec.getTtlSecondsAfterFinished()).isPositive();
      assertThat(spec.getPodReplacementPolicy()).isEqualTo("Failed");
      var rule = spec.getPodFailurePolicy().getRules().getFirst();
      assertThat(rule.getAction()).isEqualTo("Ignore");
      assertThat(rule.getOnPodConditions().getFirst().getType()).isEqualTo("DisruptionTarget");
      var pod = spec.getTemplate().getSpec();
      assertThat(pod.getRestartPolicy()).isEqualTo("Never");
      var c = pod.getContainers().getFirst();
      assertThat(c.getImage()).isEqualTo(IMAGE);
      assertThat(c.getEnv())
          .extracting(e -> e.getName())
          .contains("MAYFLY_RUNNER_ID")
          .doesNotContain("MAYFLY_DATABASE_URL"); // never inline
      assertThat(c.getEnvFrom().getFirst().getSecretRef().getName()).isEqualTo("app-db");
      assertThat(c.getResources().getRequests().get("memory").toString()).isEqualTo("1Gi");
      assertThat(c.getResources().getLimits().get("memory").toString()).isEqualTo("1Gi");
      assertThat(c.getResources().getLimits()).doesNotContainKey("cpu");
    }
  }

  @Test
  void jobsRunInPodsAndNoJobOrPodIsLeft() {
    String db = "jdbc:sqlite:" + dir.resolve("k.db");
    KubernetesLauncher launcher = launcher(IMAGE, "app-db");
    MayflyConfig config =
        onCluster(db, launcher)
            .jobs(KubernetesTestJobs.Work.class)
            .defaults(briefRunners(3))
            .build();
    try (Mayfly mayfly = Mayfly.create(config).start()) {
      for (int i = 0; i < 30; i++) {
        mayfly.enqueue(KubernetesTestJobs.Work.class, new KubernetesTestJobs.Work.Args(i, 50));
      }
      await()
          .atMost(Duration.ofMinutes(3))
          .until(() -> mayfly.admin().queues().getFirst().succeeded() == 30);
      awaitNoRunnerAlive(mayfly);
      List<RunnerInfo> runners = mayfly.admin().runners(RunnerFilter.all());
      assertThat(runners).isNotEmpty().hasSize(cluster.podsCreated());
      assertThat(runners)
          .allSatisfy(
              r -> {
                assertThat(r.launcher()).isEqualTo("kubernetes");
                // named by the pod that ran it, which names its Job
                assertThat(r.platformId()).startsWith(JobManifest.jobName(r.id()) + "-");
                assertThat(KubernetesLauncher.jobNamed(r.platformId()))
                    .isEqualTo(JobManifest.jobName(r.id()));
              });
      assertThat(cluster.maxRunning()).isLessThanOrEqualTo(3);
      awaitNoJobOrPodLeft();
    }
  }

  @Test
  void aPodsOutputIsFollowedIntoItsRunnersOutputAndItsJobsLogThroughBrokenStreams() {
    String db = "jdbc:sqlite:" + dir.resolve("out.db");
    KubernetesLauncher launcher = launcher(IMAGE, "app-db");
    MayflyConfig config =
        onCluster(db, launcher)
            .jobs(KubernetesTestJobs.Chatty.class)
            .defaults(briefRunners(1))
            .build();
    try (Mayfly mayfly = Mayfly.create(config).start()) {
      long job =
          mayfly.enqueue(
              KubernetesTestJobs.Chatty.class, new KubernetesTestJobs.Chatty.Args(300, 10));
      // the API server drops the follow while the pod prints: the launcher reopens it
      await()
          .atMost(Duration.ofMinutes(1))
          .until(() -> mayfly.admin().jobDetail(job).orElseThrow().log().size() >= 50);
      assertThat(cluster.breakLogStreams()).isEqualTo(1);
      await()
          .atMost(Duration.ofMinutes(1))
          .until(() -> mayfly.admin().job(job).orElseThrow().state() == JobState.SUCCEEDED);
      // the exit is recorded once the log was read to its end, and the output flushed with it
      RunnerInfo runner =
          await()
              .atMost(Duration.ofSeconds(30))
              .until(
                  () -> mayfly.admin().runners(RunnerFilter.all()).getFirst(),
                  r -> r.exitCode() != null);
      assertThat(runner.exitCode()).isZero();
      List<String> lines =
          mayfly.admin().jobDetail(job).orElseThrow().log().stream()
              .map(l -> l.message())
              .filter(m -> m.startsWith("out "))
              .toList();
      assertThat(lines).as("the pod's output, each line once, in order").hasSize(300);
      for (int i = 0; i < 300; i++) {
        assertThat(lines.get(i)).isEqualTo("out " + i);
      }
      assertThat(mayfly.admin().runnerOutput(runner.id()))
          .extracting(l -> l.message())
          .contains("out 0", "out 299");
      awaitNoJobOrPodLeft();
    }
  }

  @Test
  void anImageThatCannotBePulledIsReportedInSecondsAndTheQueueBacksOff() {
    String db = "jdbc:sqlite:" + dir.resolve("pull.db");
    KubernetesLauncher launcher = launcher("registry.example/typo:1", "app-db");
    MayflyConfig config =
        onCluster(db, launcher)
            .jobs(KubernetesTestJobs.Work.class)
            .leaseTimeout(Duration.ofMinutes(10)) // the lease cannot be what notices
            .defaults(QueueConfig.defaults("default").launcher("kubernetes").maxRunners(1))
            .build();
    try (Mayfly mayfly = Mayfly.create(config).start()) {
      long id =
          mayfly.enqueue(KubernetesTestJobs.Work.class, new KubernetesTestJobs.Work.Args(1, 0));
      RunnerInfo failed =
          await()
              .atMost(Duration.ofSeconds(20))
              .until(
                  () ->
                      mayfly.admin().runners(RunnerFilter.all()).stream()
                          .filter(r -> r.state() == RunnerState.FAILED)
                          .findFirst(),
                  java.util.Optional::isPresent)
              .orElseThrow();
      assertThat(failed.error())
          .contains("ended before it reported in")
          .containsPattern("cannot start: (ErrImagePull|ImagePullBackOff)")
          .contains("registry.example/typo:1");
      assertThat(mayfly.admin().job(id).orElseThrow().state()).isEqualTo(JobState.QUEUED);
      // the Job of a pod that cannot start is deleted, not left waiting
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  cluster
                          .admin()
                          .batch()
                          .v1()
                          .jobs()
                          .inNamespace(NS)
                          .withName(failed.platformId())
                          .get()
                      == null);
    }
  }

  @Test
  @Tag("slow")
  void fiveHundredJobsThroughEvictionsAndApiFaultsLoseNoneAndNeverRunSurplusPods()
      throws Exception {
    int jobs = 500;
    int maxRunners = 4;
    cluster.pending(Duration.ofSeconds(2)); // pods wait for a node, up to 2 s
    cluster.faultRate(0.1);
    // runners drain, so a run makes few Job calls: the first ones fail whatever the dice say
    cluster.failNext(3);
    String db = "jdbc:sqlite:" + dir.resolve("faults.db");
    MayflyConfig config =
        onCluster(db, launcher(IMAGE, "app-db"))
            .jobs(KubernetesTestJobs.Work.class)
            .leaseTimeout(Duration.ofSeconds(6))
            .heartbeatInterval(Duration.ofSeconds(1))
            .defaults(
                QueueConfig.defaults("default")
                    .launcher("kubernetes")
                    .maxRunners(maxRunners)
                    .idleExit(Duration.ofMillis(500)))
            .build();
    try (Mayfly mayfly = Mayfly.create(config).start()) {
      for (int i = 0; i < jobs; i++) {
        mayfly.enqueue(KubernetesTestJobs.Work.class, new KubernetesTestJobs.Work.Args(i, 20));
      }
      // A drain somewhere: each time another 30 jobs have succeeded, a running pod is evicted.
      // Every poll also checks that nothing is lost and that there is no surplus while pods
      // wait: a pending pod's runner is launching, and launching or running runners together
      // stay within the cap.
      java.util.Random random = new java.util.Random(3);
      // The first eviction waits for a running pod rather than a count of successes: a poll
      // slowed by a busy machine may otherwise see the last checkpoint pass with no pod left.
      await()
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofMillis(20))
          .until(
              () -> {
                List<String> running = cluster.runningPods();
                if (running.isEmpty()) {
                  return false;
                }
                String[] pod = running.get(random.nextInt(running.size())).split("/");
                return cluster.evict(pod[0], pod[1]);
              });
      int evictions = 1;
      for (long next = 30; next <= jobs; next += 30) {
        long reached = next;
        await()
            .atMost(Duration.ofMinutes(2))
            .until(
                () -> {
                  var q = mayfly.admin().queues().getFirst();
                  assertThat(q.dead()).isZero();
                  assertThat(mayfly.admin().runners(RunnerFilter.all().alive(true)).size())
                      .isLessThanOrEqualTo(maxRunners);
                  return q.succeeded() >= reached;
                });
        List<String> running = cluster.runningPods();
        if (!running.isEmpty() && evictions < 15) {
          String[] pod = running.get(random.nextInt(running.size())).split("/");
          if (cluster.evict(pod[0], pod[1])) {
            evictions++;
          }
        }
      }
      await()
          .atMost(Duration.ofMinutes(2))
          .until(() -> mayfly.admin().queues().getFirst().succeeded() == jobs);
      awaitNoRunnerAlive(mayfly);

      var queue = mayfly.admin().queues().getFirst();
      assertThat(queue.succeeded()).isEqualTo(jobs);
      assertThat(queue.dead()).isZero();
      assertThat(evictions).isPositive();
      assertThat(cluster.faultsInjected()).isPositive();
      List<RunnerInfo> runners = mayfly.admin().runners(RunnerFilter.all().limit(10_000));
      assertThat(cluster.podsCreated())
          // a disrupted pod's Job may make a replacement before Mayfly deletes the Job
          .as("one pod per launch, and at most one replacement per eviction")
          .isLessThanOrEqualTo(runners.size() + evictions);
    }
  }

  @Test
  void aServiceAccountWithoutRightsIsAConfigurationErrorNamingTheVerbAndResource() {
    cluster.refuse(403);
    try (KubernetesLauncher launcher = launcher(IMAGE, "app-db")) {
      LaunchRequest request =
          new LaunchRequest(
              "r-rbac1",
              "default",
              Map.of("MAYFLY_RUNNER_ID", "r-rbac1"),
              Duration.ofMinutes(10),
              "small",
              line -> {},
              null);
      assertThatThrownBy(() -> launcher.launch(request))
          .isInstanceOfSatisfying(
              dev.mayfly.launch.LaunchException.class,
              e -> assertThat(e.needsConfiguration()).isTrue())
          .hasMessageContaining("HTTP 403")
          .hasMessageContaining("forbidden")
          .hasMessageContaining(
              "needs the verb 'create' on 'jobs' (group batch) in namespace " + NS)
          .hasMessageContaining("docs/kubernetes.md");
    }
  }

  @Test
  void aSecretNamingAnotherDatabaseIsRefusedBeforeAnyJobNamingBothUrls() {
    cluster.secret(NS, "app-db", Map.of("DATABASE_URL", "postgres://app:s3cret@db.internal/prod"));
    try (KubernetesLauncher launcher = launcher(IMAGE, "app-db")) {
      assertThatThrownBy(
              () ->
                  launcher.launch(
                      request(
                          "r-wrong1",
                          "jdbc:postgresql://127.0.0.1/mayfly?user=postgres&password=pw")))
          .isInstanceOfSatisfying(
              dev.mayfly.launch.LaunchException.class,
              e -> assertThat(e.needsConfiguration()).isTrue())
          .hasMessageContaining("runners would open postgres://app:****@db.internal/prod")
          .hasMessageContaining("the DATABASE_URL of Secret app-db in namespace " + NS)
          .hasMessageContaining(
              "this dispatcher uses jdbc:postgresql://127.0.0.1/mayfly?user=postgres&password=****")
          .hasMessageContaining("Set DATABASE_URL in Secret app-db to this dispatcher's database")
          .hasMessageNotContaining("s3cret")
          .hasMessageNotContaining("=pw");
    }
    try (KubernetesLauncher launcher = launcher(IMAGE, "no-such")) {
      assertThatThrownBy(() -> launcher.launch(request("r-wrong2", "x.db")))
          .hasMessageContaining("Secret no-such (MAYFLY_KUBERNETES_SECRET), which does not exist");
    }
    assertThat(cluster.admin().batch().v1().jobs().inNamespace(NS).list().getItems()).isEmpty();
    assertThat(cluster.podsCreated()).isZero();
  }

  @Test
  void aSecretNamingTheSameDatabaseOtherwiseSpelledIsLaunched() throws Exception {
    cluster.secret(
        NS, "app-db", Map.of("MAYFLY_DATABASE_URL", "postgres://postgres:x@127.0.0.1:5432/mayfly"));
    try (KubernetesLauncher launcher = launcher(IMAGE, "app-db")) {
      var handle =
          launcher.launch(request("r-same1", "jdbc:postgresql://127.0.0.1/mayfly?user=postgres"));
      // its pod ran: RunnerMain, given no queue, says its environment is wrong
      assertThat(handle.exit().get(1, java.util.concurrent.TimeUnit.MINUTES).exitCode())
          .isEqualTo(2);
    }
  }

  @Test
  void runnersWhoseSecretNamesAnotherStoreAreNeverLaunched() {
    String db = "jdbc:sqlite:" + dir.resolve("dispatcher.db");
    String other = "jdbc:sqlite:" + dir.resolve("other.db");
    cluster.secret(NS, "app-db", Map.of("MAYFLY_DATABASE_URL", other));
    MayflyConfig config =
        MayflyConfig.builder()
            .database(db)
            .environment(Map.of())
            .launcher(launcher(IMAGE, "app-db"))
            .jobs(KubernetesTestJobs.Work.class)
            .defaults(briefRunners(3))
            .build();
    try (Mayfly mayfly = Mayfly.create(config).start()) {
      long id =
          mayfly.enqueue(KubernetesTestJobs.Work.class, new KubernetesTestJobs.Work.Args(1, 0));
      RunnerInfo refused = awaitFailedRunner(mayfly);
      assertThat(refused.error())
          .contains("runners would open " + other)
          .contains("this dispatcher uses " + db)
          .contains("Set MAYFLY_DATABASE_URL in Secret app-db");
      // paused for minutes: no other launch, no Job, no pod
      await()
          .during(Duration.ofSeconds(2))
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  mayfly.admin().runners(RunnerFilter.all()).size() == 1
                      && cluster.podsCreated() == 0);
      assertThat(mayfly.admin().job(id).orElseThrow().state()).isEqualTo(JobState.QUEUED);
      assertThat(cluster.admin().batch().v1().jobs().inNamespace(NS).list().getItems()).isEmpty();
    }
  }

  @Test
  void aRunnerThatOpensAnotherStoreIsAConfigurationErrorAndNoneIsLaunchedAfterIt() {
    String db = "jdbc:sqlite:" + dir.resolve("dispatcher.db");
    String other = "jdbc:sqlite:" + dir.resolve("other.db");
    MayflyConfig config =
        onCluster(db, launcher(IMAGE, "app-db"))
            .jobs(KubernetesTestJobs.Work.class)
            .defaults(briefRunners(1))
            .build();
    try (Mayfly mayfly = Mayfly.create(config).start()) {
      mayfly.enqueue(KubernetesTestJobs.Work.class, new KubernetesTestJobs.Work.Args(1, 0));
      await()
          .atMost(Duration.ofMinutes(1))
          .until(() -> mayfly.admin().queues().getFirst().succeeded() == 1);
      awaitNoRunnerAlive(mayfly);
      // The Secret is edited after the launcher read it: the next runner opens another store.
      cluster
          .admin()
          .secrets()
          .inNamespace(NS)
          .withName("app-db")
          .edit(
              s -> {
                s.setData(
                    Map.of(
                        "MAYFLY_DATABASE_URL",
                        java.util.Base64.getEncoder()
                            .encodeToString(
                                other.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
                return s;
              });
      int pods = cluster.podsCreated();
      int runners = mayfly.admin().runners(RunnerFilter.all()).size();
      long id =
          mayfly.enqueue(KubernetesTestJobs.Work.class, new KubernetesTestJobs.Work.Args(2, 0));

      RunnerInfo wrong = awaitFailedRunner(mayfly);
      assertThat(wrong.error())
          .contains("opens a different database than this dispatcher")
          .contains("found no row of its own in " + other)
          .contains("this dispatcher uses " + db);
      assertThat(mayfly.admin().runnerOutput(wrong.id()))
          .extracting(l -> l.message())
          .anyMatch(m -> m.contains(wrong.id() + " has no row in the store it opened"));
      // paused for minutes, not launched again every few seconds
      await()
          .during(Duration.ofSeconds(3))
          .atMost(Duration.ofSeconds(6))
          .until(
              () ->
                  mayfly.admin().runners(RunnerFilter.all()).size() == runners + 1
                      && cluster.podsCreated() == pods + 1);
      assertThat(
              await()
                  .atMost(Duration.ofSeconds(30))
                  .until(
                      () -> mayfly.admin().runner(wrong.id()).orElseThrow().exitCode(),
                      java.util.Objects::nonNull))
          .isEqualTo(4);
      assertThat(mayfly.admin().job(id).orElseThrow().state()).isEqualTo(JobState.QUEUED);
    }
  }

  private static RunnerInfo awaitFailedRunner(Mayfly mayfly) {
    return await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                mayfly.admin().runners(RunnerFilter.all()).stream()
                    .filter(r -> r.state() == RunnerState.FAILED)
                    .findFirst(),
            java.util.Optional::isPresent)
        .orElseThrow();
  }

  private static LaunchRequest request(String runnerId, String database) {
    return new LaunchRequest(
        runnerId,
        "default",
        Map.of("MAYFLY_RUNNER_ID", runnerId, "MAYFLY_DATABASE_URL", database),
        Duration.ofMinutes(10),
        "small",
        line -> {},
        null);
  }

  @Test
  void autoPicksKubernetesFromAKubeconfigAndAnImageAndNoJobOrPodIsLeft() throws Exception {
    String db = "jdbc:sqlite:" + dir.resolve("auto.db");
    cluster.secret(NS, "app-db", Map.of("MAYFLY_DATABASE_URL", db));
    Path kubeconfig = cluster.writeKubeconfig(dir.resolve("kubeconfig"), NS);
    MayflyConfig config =
        MayflyConfig.builder()
            .database(db)
            .environment(
                Map.of(
                    "KUBECONFIG",
                    kubeconfig.toString(),
                    "MAYFLY_KUBERNETES_IMAGE",
                    IMAGE,
                    "MAYFLY_KUBERNETES_SECRET",
                    "app-db"))
            .jobs(KubernetesTestJobs.Work.class)
            .defaults(QueueConfig.defaults("default").maxRunners(2)) // launcher: auto
            .build();
    try (Mayfly mayfly = Mayfly.create(config).start()) {
      for (int i = 0; i < 10; i++) {
        mayfly.enqueue(KubernetesTestJobs.Work.class, new KubernetesTestJobs.Work.Args(i, 10));
      }
      await()
          .atMost(Duration.ofMinutes(2))
          .until(() -> mayfly.admin().queues().getFirst().succeeded() == 10);
      awaitNoRunnerAlive(mayfly);
      assertThat(mayfly.admin().runners(RunnerFilter.all()))
          .isNotEmpty()
          .allSatisfy(r -> assertThat(r.launcher()).isEqualTo("kubernetes"));
      awaitNoJobOrPodLeft();
    }
  }

  /** Up to {@code max} runners on the cluster, each leaving soon after the queue is empty. */
  private static QueueConfig briefRunners(int max) {
    return QueueConfig.defaults("default")
        .launcher("kubernetes")
        .maxRunners(max)
        .idleExit(Duration.ofMillis(300));
  }

  private static void awaitNoRunnerAlive(Mayfly mayfly) {
    await()
        .atMost(Duration.ofMinutes(1))
        .until(() -> mayfly.admin().runners(RunnerFilter.all().alive(true)).isEmpty());
  }

  private void awaitNoJobOrPodLeft() {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                cluster.admin().batch().v1().jobs().inNamespace(NS).list().getItems().isEmpty()
                    && cluster.admin().pods().inNamespace(NS).list().getItems().isEmpty());
  }
}
