package dev.mayfly.heroku;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mayfly.Mayfly;
import dev.mayfly.MayflyConfig;
import dev.mayfly.QueueConfig;
import dev.mayfly.api.JobFilter;
import dev.mayfly.api.JobInfo;
import dev.mayfly.api.RunnerFilter;
import dev.mayfly.api.RunnerInfo;
import dev.mayfly.api.RunnerState;
import dev.mayfly.heroku.emulator.HerokuEmulator;
import dev.mayfly.store.RunnerHistory;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runners as emulated one-off dynos: real HTTP, real dyno processes, injected API faults. */
@Tag("processes")
class HerokuLauncherTest {
  private static final String KEY = "hrku-test-key-5f1c9e7a0b";
  private static final Pattern ENV_KEY = Pattern.compile("^\\w+$");

  @TempDir Path dir;
  private HerokuEmulator emulator;
  private final ByteArrayOutputStream emulatorLog = new ByteArrayOutputStream();

  private HerokuEmulator emulator(int maxDynos, double faultRate, String db) throws Exception {
    return emulator(
        maxDynos,
        faultRate,
        db,
        HerokuEmulator.runnerProcfile(
            Path.of(System.getProperty("java.home"), "bin", "java"),
            System.getProperty("java.class.path")));
  }

  private HerokuEmulator emulator(
      int maxDynos, double faultRate, String db, Map<String, String> procfile) throws Exception {
    emulator =
        HerokuEmulator.start(
            0,
            new HerokuEmulator.Options(
                "mayfly-test",
                maxDynos,
                faultRate,
                42,
                Map.of("MAYFLY_DATABASE_URL", db),
                procfile,
                Duration.ofSeconds(5),
                new PrintStream(emulatorLog, true)));
    return emulator;
  }

  /** Mayfly on the emulated app, as a web dyno with the Heroku config vars would be. */
  private MayflyConfig.Builder onHeroku(String db, Map<String, String> moreEnv) {
    Map<String, String> env = new java.util.HashMap<>(moreEnv);
    env.put("HEROKU_API_URL", emulator.uri().toString());
    env.put("HEROKU_API_KEY", KEY);
    env.put("HEROKU_APP_NAME", "mayfly-test");
    return MayflyConfig.builder().database(db).environment(env);
  }

  @AfterEach
  void stop() {
    if (emulator != null) {
      emulator.close();
    }
  }

  @Test
  void aHundredJobsSucceedOnFiveDynosThroughTwentyPercentApiFaults() throws Exception {
    String db = "jdbc:sqlite:" + dir.resolve("heroku.db");
    emulator(5, 0.2, db);
    MayflyConfig config =
        onHeroku(db, Map.of())
            .jobs(HerokuTestJobs.Work.class)
            .defaults(
                QueueConfig.defaults("default")
                    .launcher("auto") // picks heroku from the environment
                    .maxRunners(10) // above the account's limit: Mayfly must learn it
                    .jobsPerRunner(5)
                    .idleExit(Duration.ofMillis(500)))
            .build();
    try (Mayfly mayfly = Mayfly.create(config).start()) {
      for (int i = 0; i < 100; i++) {
        mayfly.enqueue(HerokuTestJobs.Work.class, new HerokuTestJobs.Work.Args(i));
      }
      await()
          .atMost(Duration.ofMinutes(4))
          .until(() -> mayfly.admin().queues().getFirst().succeeded() == 100);
      await()
          .atMost(Duration.ofMinutes(1))
          .until(() -> mayfly.admin().runners(RunnerFilter.all().alive(true)).isEmpty());

      assertThat(emulator.faultsInjected()).isPositive();
      assertThat(emulator.maxConcurrent()).isBetween(2, 5);
      assertThat(emulator.calls()).isLessThanOrEqualTo(4500);

      List<RunnerInfo> runners = mayfly.admin().runners(RunnerFilter.all().limit(10_000));
      assertThat(runners).allSatisfy(r -> assertThat(r.launcher()).isEqualTo("heroku"));
      List<RunnerInfo> ran = runners.stream().filter(r -> r.state() != RunnerState.FAILED).toList();
      // The account's limit holds for dynos that ran; launch slots reserved under the cap of 10
      // may be more until the first refusal teaches Mayfly the limit (those launches fail).
      assertThat(RunnerHistory.maxRunningAtOnce(ran)).isLessThanOrEqualTo(5);
      assertThat(ran.stream().mapToInt(RunnerInfo::jobsRun).sum()).isEqualTo(100);

      // the key is in no stored error, output or job
      for (RunnerInfo r : runners) {
        assertThat(String.valueOf(r.error())).doesNotContain(KEY);
        mayfly
            .admin()
            .runnerOutput(r.id())
            .forEach(l -> assertThat(l.message()).doesNotContain(KEY));
      }
      for (JobInfo j : mayfly.admin().jobs(JobFilter.all().limit(1000))) {
        assertThat(String.valueOf(j.error())).doesNotContain(KEY);
      }
      assertThat(emulatorLog.toString()).doesNotContain(KEY);
    }
  }

  @Test
  void attachedDynosStreamTheirOutputOverRendezvousTlsInOrder() throws Exception {
    String db = "jdbc:sqlite:" + dir.resolve("attach.db");
    emulator(5, 0, db);
    outputReachesTheStoreInOrder(
        db,
        Map.of(
            "MAYFLY_HEROKU_OUTPUT",
            "attach",
            "MAYFLY_HEROKU_TRUSTED_CERT",
            emulator.rendezvousCertificate().toString()));
    assertThat(emulatorLog.toString()).contains("Awaiting client");
    assertThat(logSessions()).isZero();
  }

  @Test
  void detachedDynosOutputAndExitStatusComeThroughALogSession() throws Exception {
    String db = "jdbc:sqlite:" + dir.resolve("logs.db");
    emulator(5, 0, db);
    outputReachesTheStoreInOrder(db, Map.of());
    assertThat(emulatorLog.toString()).doesNotContain("Awaiting client");
    assertThat(logSessions()).isEqualTo(1);
  }

  private long logSessions() {
    return emulator.requests().stream().filter(r -> r.endsWith("/log-sessions")).count();
  }

  /** One job printing 300 lines: all of them, in order, in its log and its runner's output. */
  private void outputReachesTheStoreInOrder(String db, Map<String, String> env) throws Exception {
    MayflyConfig config =
        onHeroku(db, env)
            .jobs(HerokuTestJobs.Chatty.class)
            .defaults(
                QueueConfig.defaults("default")
                    .launcher("heroku")
                    .jobsPerRunner(1)
                    .idleExit(Duration.ofMillis(300)))
            .build();
    try (Mayfly mayfly = Mayfly.create(config).start()) {
      mayfly.enqueue(HerokuTestJobs.Chatty.class, new HerokuTestJobs.Chatty.Args(300));
      await()
          .atMost(Duration.ofMinutes(2))
          .until(
              () ->
                  mayfly.admin().runners(RunnerFilter.all()).stream()
                      .anyMatch(r -> r.exitCode() != null));
      RunnerInfo runner =
          mayfly.admin().runners(RunnerFilter.all()).stream()
              .filter(r -> r.exitCode() != null)
              .findFirst()
              .orElseThrow();
      assertThat(runner.exitCode()).as("exit status read from the stream").isZero();
      long job = mayfly.admin().jobs(JobFilter.all()).getFirst().id();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> mayfly.admin().jobDetail(job).orElseThrow().log().size() >= 300);
      List<String> lines =
          mayfly.admin().jobDetail(job).orElseThrow().log().stream()
              .map(l -> l.message())
              .filter(m -> m.startsWith("out "))
              .toList();
      assertThat(lines).as("the dyno's output, filed in the job's log").hasSize(300);
      for (int i = 0; i < 300; i++) {
        assertThat(lines.get(i)).isEqualTo("out " + i);
      }
      assertThat(mayfly.admin().runnerOutput(runner.id()))
          .extracting(l -> l.message())
          .contains("out 0", "out 299");
      // a followed dyno's log stream is let go once it has ended, while Mayfly runs on (the
      // emulator notices a reader gone at its next write)
      await().atMost(Duration.ofSeconds(30)).until(() -> emulator.logStreamsOpen() == 0);
    }
  }

  @Test
  void aDynoThatVanishesIsFoundLostAndItsJobRunsAgain() throws Exception {
    String db = "jdbc:sqlite:" + dir.resolve("lost.db");
    emulator(5, 0, db);
    MayflyConfig config =
        // its log not followed: only the missing heartbeats can tell
        onHeroku(db, Map.of("MAYFLY_HEROKU_OUTPUT", "none"))
            .jobs(HerokuTestJobs.Slow.class)
            .leaseTimeout(Duration.ofSeconds(3))
            .heartbeatInterval(Duration.ofSeconds(1))
            .defaults(
                QueueConfig.defaults("default")
                    .launcher("heroku")
                    .jobsPerRunner(1)
                    .idleExit(Duration.ofMillis(300)))
            .build();
    try (Mayfly mayfly = Mayfly.create(config).start()) {
      long id = mayfly.enqueue(HerokuTestJobs.Slow.class, new HerokuTestJobs.Slow.Args(4000));
      await()
          .atMost(Duration.ofMinutes(1))
          .until(
              () ->
                  mayfly.admin().job(id).orElseThrow().state() == dev.mayfly.api.JobState.RUNNING);
      String dyno = emulator.running().getFirst();
      assertThat(emulator.crash(dyno)).isTrue();

      await()
          .atMost(Duration.ofMinutes(1))
          .until(
              () ->
                  mayfly.admin().job(id).orElseThrow().state()
                      == dev.mayfly.api.JobState.SUCCEEDED);
      var detail = mayfly.admin().jobDetail(id).orElseThrow();
      assertThat(detail.attempts())
          .extracting(a -> a.outcome())
          .containsExactly("lost", "succeeded");
      assertThat(mayfly.admin().runners(RunnerFilter.all()))
          .anySatisfy(r -> assertThat(r.state()).isEqualTo(RunnerState.LOST));
    }
  }

  @Test
  void aCreateWhoseAnswerIsLostIsNotSentAgainAndItsDynoStandsAside() throws Exception {
    String db = "jdbc:sqlite:" + dir.resolve("dropped.db");
    emulator(5, 0, db);
    emulator.dropCreateAnswers(1); // Heroku starts the dyno, then the connection is cut
    MayflyConfig config =
        onHeroku(db, Map.of())
            .jobs(HerokuTestJobs.Work.class)
            .defaults(
                QueueConfig.defaults("default")
                    .launcher("heroku")
                    .maxRunners(1)
                    .idleExit(Duration.ofMillis(300)))
            .build();
    try (Mayfly mayfly = Mayfly.create(config).start()) {
      for (int i = 0; i < 3; i++) {
        mayfly.enqueue(HerokuTestJobs.Work.class, new HerokuTestJobs.Work.Args(i));
      }
      await()
          .atMost(Duration.ofMinutes(2))
          .until(() -> mayfly.admin().queues().getFirst().succeeded() == 3);

      // One create per runner: the one whose answer was lost was not sent again.
      List<String> created =
          emulator.received().stream()
              .map(r -> r.body().path("env").path("MAYFLY_RUNNER_ID").asText())
              .toList();
      assertThat(created).isNotEmpty().doesNotHaveDuplicates();
      RunnerInfo cut = mayfly.admin().runner(created.getFirst()).orElseThrow();
      if (cut.state() == RunnerState.FAILED) {
        // The usual order: the launch was recorded failed before the dyno's JVM reported in,
        // so that process left without claiming.
        assertThat(cut.error()).contains("not sent again");
        await()
            .atMost(Duration.ofMinutes(1))
            .until(() -> emulatorLog.toString().contains(cut.id() + " exiting: NOT_THE_RUNNER"));
      }
      for (JobInfo j : mayfly.admin().jobs(JobFilter.all())) {
        assertThat(j.attempts()).as("job %d ran once", j.id()).isEqualTo(1);
      }
    }
  }

  @Test
  void aDynoThatDiesBeforeItsRunnerReportsInIsFoundInSecondsWithWhatToCheck() throws Exception {
    String db = "jdbc:sqlite:" + dir.resolve("typo.db");
    // A Procfile whose runner line has a typo: the dyno starts, bash fails, the dyno ends.
    emulator(5, 0, db, Map.of("runner", "jaav -cp app.jar dev.mayfly.runner.RunnerMain"));
    MayflyConfig config =
        onHeroku(db, Map.of())
            .jobs(HerokuTestJobs.Work.class)
            .leaseTimeout(Duration.ofMinutes(10)) // the lease cannot be what notices
            .defaults(QueueConfig.defaults("default").launcher("heroku").maxRunners(1))
            .build();
    try (Mayfly mayfly = Mayfly.create(config).start()) {
      long job = mayfly.enqueue(HerokuTestJobs.Work.class, new HerokuTestJobs.Work.Args(1));
      RunnerInfo failed =
          await()
              .atMost(Duration.ofMinutes(1))
              .until(
                  () ->
                      mayfly.admin().runners(RunnerFilter.all()).stream()
                          .filter(r -> r.state() == RunnerState.FAILED)
                          .findFirst(),
                  java.util.Optional::isPresent)
              .orElseThrow();
      assertThat(failed.error())
          .contains("ended before it reported in")
          // gone, listed as crashed, or its end read in its log: whichever Mayfly sees first
          .containsPattern(
              "dyno run\\.\\d+ ended \\((no longer listed|state crashed|Process exited with"
                  + " status 127)\\)")
          .contains("'runner' (a Procfile process type, or a command)")
          .contains("heroku logs --app mayfly-test --dyno run.");
      // what the dyno printed, from its log
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  mayfly.admin().runnerOutput(failed.id()).stream()
                      .anyMatch(l -> l.message().contains("jaav: command not found")));
      JobInfo info = mayfly.admin().job(job).orElseThrow();
      assertThat(info.state()).isEqualTo(dev.mayfly.api.JobState.QUEUED);
      assertThat(info.attempts()).isZero();
    }
  }

  @Test
  void noDynoIsStartedWhenItsRunnerWouldOpenAnotherDatabaseThanTheDispatcher() throws Exception {
    String appDb = "jdbc:sqlite:" + dir.resolve("app.db");
    String dispatcherDb = "jdbc:sqlite:" + dir.resolve("elsewhere.db");
    emulator(5, 0, appDb); // the app's MAYFLY_DATABASE_URL config var
    MayflyConfig config =
        onHeroku(dispatcherDb, Map.of())
            .jobs(HerokuTestJobs.Work.class)
            .defaults(QueueConfig.defaults("default").launcher("heroku"))
            .build();
    try (Mayfly mayfly = Mayfly.create(config).start()) {
      mayfly.enqueue(HerokuTestJobs.Work.class, new HerokuTestJobs.Work.Args(1));
      await()
          .atMost(Duration.ofMinutes(1))
          .until(() -> !mayfly.admin().runners(RunnerFilter.all()).isEmpty());
      RunnerInfo r = mayfly.admin().runners(RunnerFilter.all()).getFirst();
      await()
          .atMost(Duration.ofMinutes(1))
          .until(() -> mayfly.admin().runner(r.id()).orElseThrow().state() == RunnerState.FAILED);
      assertThat(mayfly.admin().runner(r.id()).orElseThrow().error())
          .contains("runners on dynos would open")
          .contains("app.db (the app's MAYFLY_DATABASE_URL config var)")
          .contains("this dispatcher uses")
          .contains("elsewhere.db");
      assertThat(emulator.received()).as("no dyno create was sent").isEmpty();
    }
  }

  private HerokuLauncher launcherFor(HerokuEmulator e) {
    return new HerokuLauncher(
        HerokuConfig.fromEnv(
            Map.of(
                "HEROKU_API_URL",
                e.uri().toString(),
                "HEROKU_API_KEY",
                KEY,
                "HEROKU_APP_NAME",
                "mayfly-test")),
        java.time.InstantSource.system());
  }

  private static dev.mayfly.launch.LaunchRequest request(String size) {
    return new dev.mayfly.launch.LaunchRequest(
        "r-1", "default", Map.of(), Duration.ofMinutes(5), size, l -> {}, "echo started");
  }

  @Test
  void aFirAppGetsTheLauncherPrefixAndRefusesCedarSizesNamingItsOwn() throws Exception {
    emulator(5, 0, "jdbc:sqlite:" + dir.resolve("fir.db"));
    emulator.app(true, "standard");
    try (HerokuLauncher launcher = launcherFor(emulator)) {
      assertThatThrownBy(() -> launcher.launch(request("standard-1x")))
          .isInstanceOfSatisfying(
              dev.mayfly.launch.LaunchException.class,
              e -> {
                assertThat(e.needsConfiguration()).isTrue();
                assertThat(e.getMessage())
                    .contains("is a Fir app")
                    .contains("dyno-1c-0.5gb")
                    .contains("set queue.default.size");
              });
      assertThat(emulator.received()).isEmpty();

      launcher.launch(request("dyno-1c-0.5gb"));
      assertThat(emulator.received().getFirst().body().path("command").asText())
          .isEqualTo("launcher echo started");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> emulatorLog.toString().contains("]: started"));
    }
  }

  @Test
  void anEcoAppRunsOneEcoDynoAtATime() throws Exception {
    emulator(5, 0, "jdbc:sqlite:" + dir.resolve("eco.db"));
    emulator.app(false, "eco");
    try (HerokuLauncher launcher = launcherFor(emulator)) {
      assertThat(launcher.capacity("eco")).hasValue(1);
      assertThat(launcher.capacity("performance-l")).hasValue(5);
      assertThat(launcher.capacity("standard-1x")).hasValue(50);
      assertThatThrownBy(() -> launcher.launch(request("standard-1x")))
          .hasMessageContaining("is on the eco tier, whose one-off dynos are all size eco");
    }
  }

  @Test
  void aRefusedKeyIsAConfigurationErrorThatSaysWhatToFixAndIsNotRetried() throws Exception {
    String db = "jdbc:sqlite:" + dir.resolve("refused.db");
    emulator(5, 0, db);
    emulator.requireToken("hrku-another-key");
    try (HerokuLauncher launcher = launcherFor(emulator)) {
      var request = request("standard-1x");
      long before = emulator.calls();
      assertThatThrownBy(() -> launcher.launch(request))
          .isInstanceOfSatisfying(
              dev.mayfly.launch.LaunchException.class,
              e -> {
                assertThat(e.needsConfiguration()).isTrue();
                assertThat(e.atCapacity()).isFalse();
                assertThat(e.getMessage())
                    .contains("401")
                    .contains("HEROKU_API_KEY is missing, invalid or expired")
                    .contains("heroku authorizations:create")
                    .doesNotContain(KEY);
              });
      assertThat(emulator.calls() - before).as("sent once, not retried").isEqualTo(1);
      assertThat(emulator.running()).isEmpty();
    }
  }

  @Test
  void createRequestsHaveTheDocumentedShape() throws Exception {
    String db = "jdbc:sqlite:" + dir.resolve("shape.db");
    emulator(50, 0, db);
    MayflyConfig config =
        onHeroku(db, Map.of())
            .jobs(HerokuTestJobs.Work.class)
            .defaults(
                QueueConfig.defaults("default")
                    .launcher("heroku")
                    .size("standard-2x")
                    .timeToLive(Duration.ofMinutes(10))
                    .idleExit(Duration.ofMillis(300)))
            .build();
    try (Mayfly mayfly = Mayfly.create(config).start()) {
      mayfly.enqueue(HerokuTestJobs.Work.class, new HerokuTestJobs.Work.Args(1));
      await()
          .atMost(Duration.ofMinutes(2))
          .until(() -> mayfly.admin().queues().getFirst().succeeded() == 1);
    }
    HerokuEmulator.Received r = emulator.received().getFirst();
    assertThat(r.headers().get("accept")).isEqualTo("application/vnd.heroku+json; version=3");
    assertThat(r.headers().get("authorization")).isEqualTo("Bearer " + KEY);
    assertThat(r.headers().get("user-agent")).startsWith("mayfly/");
    assertThat(r.headers().get("content-type")).isEqualTo("application/json");
    JsonNode b = r.body();
    assertThat(b.get("command").isTextual()).isTrue();
    assertThat(b.get("command").asText()).isEqualTo("runner");
    assertThat(b.get("size").asText()).isEqualTo("standard-2x");
    assertThat(b.get("type").asText()).as("one-off dynos are 'run'").isEqualTo("run");
    assertThat(b.get("time_to_live").isIntegralNumber()).isTrue();
    assertThat(b.get("time_to_live").asLong()).isEqualTo(600);
    assertThat(b.get("attach").isBoolean()).isTrue();
    assertThat(b.get("env").isObject()).isTrue();
    b.get("env")
        .fields()
        .forEachRemaining(
            e -> {
              assertThat(e.getKey()).matches(ENV_KEY);
              assertThat(e.getValue().isTextual()).isTrue();
            });
    assertThat(b.get("env").has("MAYFLY_RUNNER_ID")).isTrue();
    assertThat(b.get("env").has("MAYFLY_DATABASE_URL")).as("secrets stay in config vars").isFalse();
  }
}
