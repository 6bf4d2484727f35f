package dev.mayfly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mayfly.internal.Durations;
import dev.mayfly.internal.PropertiesFile;
import dev.mayfly.internal.time.ManualClock;
import java.io.StringReader;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MayflyConfigTest {
  @TempDir Path dir;

  private MayflyConfig.Builder builder() {
    return MayflyConfig.builder()
        .database(dir.resolve("m.db").toString())
        .environment(Map.of())
        .jobs(CoreTestJobs.Work.class);
  }

  private static Properties props(String text) throws Exception {
    Properties p = new Properties();
    p.load(new StringReader(text));
    return p;
  }

  @Test
  void defaultsAreUsableAsTheyAre() {
    MayflyConfig c = builder().build();
    QueueConfig q = c.queue("anything");
    assertThat(q.name()).isEqualTo("anything");
    assertThat(q.maxRunners()).isEqualTo(4);
    assertThat(q.timeToLive()).isEqualTo(Duration.ofMinutes(10));
    assertThat(c.databaseUrl()).isEqualTo("jdbc:sqlite:" + dir.resolve("m.db"));
  }

  @Test
  void databaseFallsBackToTheEnvironment() {
    MayflyConfig c =
        MayflyConfig.builder()
            .environment(Map.of("DATABASE_URL", "sqlite:" + dir.resolve("env.db")))
            .build();
    assertThat(c.databaseUrl()).endsWith("env.db");
  }

  @Test
  void aConfigurationFileSetsDefaultsAndQueues() throws Exception {
    MayflyConfig c =
        builder()
            .properties(
                props(
                    """
                    defaults.max-runners = 8
                    defaults.idle-exit = 5s
                    queue.mail.jobs-per-runner = 20
                    queue.mail.time-to-live = 30m
                    queue.mail.launcher = inprocess
                    launch-timeout = 3m
                    """),
                "mayfly.properties")
            .build();
    assertThat(c.launchTimeout()).isEqualTo(Duration.ofMinutes(3));
    assertThat(builder().build().launchTimeout()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.queue("other").maxRunners()).isEqualTo(8);
    QueueConfig mail = c.queue("mail");
    assertThat(mail.maxRunners()).isEqualTo(8);
    assertThat(mail.idleMin()).isEqualTo(Duration.ofSeconds(5));
    assertThat(mail.idleMax()).isEqualTo(Duration.ofSeconds(5));
    assertThat(mail.jobsPerRunner()).isEqualTo(20);
    assertThat(mail.timeToLive()).isEqualTo(Duration.ofMinutes(30));
    assertThat(mail.launcher()).isEqualTo("inprocess");
  }

  @Test
  void aScheduleWhoseJobsNoRunnerOfItsQueueMayTakeIsRefused() throws Exception {
    var inCode =
        builder()
            .defaults(QueueConfig.defaults("default").timeToLive(Duration.ofMinutes(2)))
            .schedule(
                "every-minute",
                "* * * * *",
                CoreTestJobs.FiveMinutes.class,
                new CoreTestJobs.FiveMinutes.Args());
    assertThatThrownBy(inCode::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("schedule 'every-minute' would fire jobs no runner may take")
        .hasMessageContaining("job type 'five-minutes' may run for PT5M")
        .hasMessageContaining("live PT2M");

    var inFile =
        builder()
            .jobs(CoreTestJobs.FiveMinutes.class)
            .properties(
                props(
                    """
                    queue.reports.time-to-live = 2m
                    schedule.nightly.cron = 30 2 * * *
                    schedule.nightly.type = five-minutes
                    schedule.nightly.args = {}
                    schedule.nightly.queue = reports
                    """),
                "mayfly.properties");
    assertThatThrownBy(inFile::build)
        .hasMessageContaining("schedule 'nightly' would fire jobs no runner may take")
        .hasMessageContaining("queue.reports.time-to-live");
  }

  @Test
  void schedulesComeFromCodeAndFromTheFile() throws Exception {
    MayflyConfig c =
        MayflyConfig.builder()
            .database(dir.resolve("s.db").toString())
            .environment(Map.of())
            .schedule(
                "hourly", "0 * * * *", CoreTestJobs.Work.class, new CoreTestJobs.Work.Args(3, 0))
            .properties(
                props(
                    """
                    schedule.nightly.cron = 30 2 * * *
                    schedule.nightly.type = work
                    schedule.nightly.args = {"n": 7, "millis": 0}
                    schedule.nightly.zone = Europe/Berlin
                    schedule.nightly.queue = reports
                    schedule.nightly.catch-up = all
                    schedule.nightly.overlap = allow
                    """),
                "mayfly.properties")
            .build();
    assertThat(c.jobs()).containsExactly(CoreTestJobs.Work.class); // added by the schedule
    assertThat(c.schedules().get("hourly"))
        .isEqualTo(Schedule.of("hourly", "0 * * * *", "work", "{\"n\":3,\"millis\":0}"));
    assertThat(c.schedules().get("nightly"))
        .isEqualTo(
            Schedule.of("nightly", "30 2 * * *", "work", "{\"n\": 7, \"millis\": 0}")
                .withZone(java.time.ZoneId.of("Europe/Berlin"))
                .withQueue("reports")
                .withCatchUp(Schedule.CatchUp.ALL)
                .withOverlap(Schedule.Overlap.ALLOW));
    assertThat(c.describe()).contains("schedule nightly '30 2 * * *' Europe/Berlin -> work");
  }

  @Test
  void badSchedulesNameTheScheduleAndTheFix() {
    assertThatThrownBy(() -> builder().properties(props("schedule.x.type = work"), "f"))
        .hasMessageContaining("f: schedule 'x' needs schedule.x.cron, such as 0 3 * * *");
    assertThatThrownBy(
            () ->
                builder()
                    .properties(props("schedule.x.cron = 0 3 * *\nschedule.x.type = work"), "f"))
        .hasMessageContaining("schedule 'x': cron '0 3 * *' has 4 field(s)");
    assertThatThrownBy(
            () ->
                builder()
                    .properties(
                        props(
                            "schedule.x.cron = 0 3 * * *\nschedule.x.type = work\nschedule.x.zone = Mars/Base"),
                        "f"))
        .hasMessageContaining("f: schedule.x.zone: 'Mars/Base' is not a time zone");
    assertThatThrownBy(
            () ->
                builder()
                    .properties(
                        props(
                            "schedule.x.cron = 0 3 * * *\nschedule.x.type = work\nschedule.x.catch-up = some"),
                        "f"))
        .hasMessageContaining("'some' is not one of latest, all, none");
    assertThatThrownBy(() -> builder().properties(props("schedule.x.every = 5m"), "f"))
        .hasMessageContaining("unknown setting 'schedule.x.every'")
        .hasMessageContaining("cron, type, args");
    assertThatThrownBy(
            () ->
                builder()
                    .properties(props("schedule.x.cron = 0 3 * * *\nschedule.x.type = mail"), "f")
                    .build())
        .hasMessageContaining(
            "schedule 'x': job type 'mail' is not among the configured jobs (work)");
    assertThatThrownBy(
            () ->
                builder()
                    .properties(
                        props(
                            "schedule.x.cron = 0 3 * * *\nschedule.x.type = work\nschedule.x.args = {\"n\": \"many\"}"),
                        "f")
                    .build())
        .hasMessageContaining("schedule 'x': args {\"n\": \"many\"} do not fit job type 'work'");
    assertThatThrownBy(
            () ->
                builder()
                    .properties(
                        props(
                            "schedule.x.cron = 0 3 * * *\nschedule.x.type = work\nschedule.x.args = [1]"),
                        "f"))
        .hasMessageContaining("args must be a JSON object");
  }

  @Test
  void aCronThatCanNeverFireIsRefusedWhileALeapDayIsNot() throws Exception {
    assertThatThrownBy(
            () ->
                builder()
                    .properties(props("schedule.x.cron = 0 0 31 2 *\nschedule.x.type = work"), "f"))
        .hasMessageContaining("schedule 'x': cron '0 0 31 2 *' never fires")
        .hasMessageContaining("31 February");
    assertThatThrownBy(() -> Schedule.of("y", "0 0 0 31 4 *", "work", "{}"))
        .hasMessageContaining("schedule 'y': cron '0 0 0 31 4 *' never fires");
    assertThat(Schedule.of("leap", "0 0 29 2 *", "work", "{}").cron()).isEqualTo("0 0 29 2 *");
    assertThat(Schedule.of("leap-monday", "0 0 29 2 1", "work", "{}").name())
        .isEqualTo("leap-monday");
  }

  @Test
  void aKeySetTwiceInAConfigurationFileIsRefusedNamingBothLines() throws Exception {
    Path file =
        java.nio.file.Files.writeString(
            dir.resolve("mayfly.properties"),
            "defaults.max-runners = 4\n# a comment that ends in \\\nretention = 1d\n"
                + "  defaults.max-runners : 8\n");
    assertThatThrownBy(() -> PropertiesFile.read(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            file + ": 'defaults.max-runners' is set twice, on line 1 and on line 4; keep one");

    Path fine =
        java.nio.file.Files.writeString(
            dir.resolve("fine.properties"),
            "jobs = a, \\\n  b\nretention\\:x = 1d\n\n! retention = 2d\nretention = 3d\n");
    assertThat(PropertiesFile.read(fine))
        .containsOnly(
            Map.entry("jobs", "a, b"),
            Map.entry("retention:x", "1d"),
            Map.entry("retention", "3d"));
  }

  @Test
  void badSettingsNameTheFileTheKeyAndTheFix() {
    assertThatThrownBy(
            () -> builder().properties(props("queue.mail.max-runners = lots"), "my.properties"))
        .hasMessageContaining("my.properties")
        .hasMessageContaining("queue.mail.max-runners")
        .hasMessageContaining("whole number");
    assertThatThrownBy(() -> builder().properties(props("defaults.max-runner = 3"), "f"))
        .hasMessageContaining("unknown queue setting 'max-runner'")
        .hasMessageContaining("max-runners");
    assertThatThrownBy(() -> builder().properties(props("queues.x = 1"), "f"))
        .hasMessageContaining("unknown setting 'queues.x'");
    assertThatThrownBy(() -> builder().properties(props("defaults.idle-exit = soon"), "f"))
        .hasMessageContaining("500ms, 30s, 5m");
    assertThatThrownBy(() -> builder().properties(props("queue.Mail.size = x"), "f"))
        .hasMessageContaining("invalid name 'Mail'");
    assertThatThrownBy(() -> builder().properties(props("dashboard.pasword = x"), "f"))
        .hasMessageContaining("unknown setting 'dashboard.pasword'")
        .hasMessageContaining("dashboard.(bind|port|username|password|token)");
    assertThatThrownBy(() -> builder().properties(props("price.heroku.basic = cheap"), "f"))
        .hasMessageContaining("price.heroku.basic must be dollars per hour");
    assertThatThrownBy(() -> builder().properties(props("price.heroku.basic = -1"), "f"))
        .hasMessageContaining("0 or more");
    assertThatThrownBy(() -> builder().properties(props("launch-timeout = 0s"), "f").build())
        .hasMessageContaining("launchTimeout must be positive");
  }

  @Test
  void pricesAndDashboardSettingsComeFromTheFile() throws Exception {
    MayflyConfig c =
        builder().properties(props("price.local.default = 0\ndashboard.port = 9000"), "f").build();
    assertThat(c.prices().price("local", "standard-2x").orElseThrow().perHour()).isZero();
    assertThat(c.prices().price("heroku", "standard-2x").orElseThrow().perHour())
        .isEqualTo(50.0 / 720);
    assertThat(c.modules()).containsEntry("dashboard.port", "9000");
    assertThat(c.describe()).contains("prices").doesNotContain("dashboard");
  }

  @Test
  void outputLimitsComeFromTheFileAndAreCheckedTogether() throws Exception {
    assertThat(builder().build().output()).isEqualTo(new OutputLimits(16384, 1 << 20, 1 << 20));
    MayflyConfig c =
        builder()
            .properties(
                props("output.max-attempt = 32KiB\noutput.max-line = 4k\noutput.max-runner = 2MiB"),
                "f")
            .build();
    assertThat(c.output()).isEqualTo(new OutputLimits(4096, 32 * 1024, 2 * 1024 * 1024));
    assertThat(c.describe()).contains("output: lines 4096 B");
    assertThatThrownBy(() -> builder().properties(props("output.max-line = long"), "f"))
        .hasMessageContaining("f: output.max-line must be a size such as 16384, 16KiB or 1MiB");
    assertThatThrownBy(() -> builder().properties(props("output.max-attempt = 32KiB"), "f"))
        .hasMessageContaining("f: output.max-attempt (32768 bytes) must hold at least 4 lines")
        .hasMessageContaining("raise it or lower output.max-line");
    assertThatThrownBy(() -> OutputLimits.defaults().maxLine(100))
        .hasMessageContaining("output.max-line must be at least 256 bytes");
  }

  @Test
  void runnersDrainByDefaultAndTheFleetSettingsComeFromTheFile() throws Exception {
    QueueConfig q = QueueConfig.defaults("q");
    assertThat(q.jobsPerRunner()).isEqualTo(QueueConfig.NO_JOB_CAP);
    assertThat(q.targetWait()).isEqualTo(QueueConfig.DEFAULT_TARGET_WAIT);
    MayflyConfig c =
        builder()
            .properties(
                props(
                    "queue.a.idle-max = 100ms\nqueue.a.idle-min = 50ms\n"
                        + "queue.b.target-wait = 30s\nqueue.b.idle-max = 5s\n"
                        + "queue.b.jobs-per-runner = 0"),
                "f")
            .build();
    assertThat(c.queue("a").idleMin()).isEqualTo(Duration.ofMillis(50));
    assertThat(c.queue("a").idleMax()).isEqualTo(Duration.ofMillis(100));
    assertThat(c.queue("b").targetWait()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.queue("b").idleMin()).isEqualTo(QueueConfig.DEFAULT_IDLE_MIN);
    assertThat(c.queue("b").idleMax()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void theClaimBatchIsAutomaticUnlessAQueueSetsOne() throws Exception {
    assertThat(QueueConfig.defaults("q").claimBatch()).isEqualTo(QueueConfig.AUTO_CLAIM_BATCH);
    MayflyConfig c =
        builder()
            .properties(
                props(
                    "defaults.claim-batch = 1\nqueue.a.claim-batch = auto\n"
                        + "queue.b.claim-batch = 20"),
                "f")
            .build();
    assertThat(c.queue("a").claimBatch()).isEqualTo(QueueConfig.AUTO_CLAIM_BATCH);
    assertThat(c.queue("b").claimBatch()).isEqualTo(20);
    assertThatThrownBy(() -> builder().properties(props("queue.a.claim-batch = many"), "f"))
        .hasMessageContaining("f: queue.a.claim-batch must be auto or a whole number, was 'many'");
    assertThatThrownBy(() -> builder().properties(props("queue.a.claim-batch = 5000"), "f"))
        .hasMessageContaining("claimBatch must be between 1 and 1000, or 0 for automatic");
  }

  @Test
  void impossibleQueueSettingsAreRefusedWhenBuilt() {
    QueueConfig q = QueueConfig.defaults("q");
    assertThatThrownBy(() -> q.maxRunners(0)).hasMessageContaining("maxRunners must be between 1");
    assertThatThrownBy(() -> q.idleExit(Duration.ofMinutes(20)))
        .hasMessageContaining("the idle wait (PT20M) must be shorter than timeToLive");
    assertThatThrownBy(() -> q.idleBounds(Duration.ofSeconds(5), Duration.ofSeconds(1)))
        .hasMessageContaining("idleMax (PT1S) must be at least idleMin (PT5S)");
    assertThatThrownBy(() -> q.jobsPerRunner(-1))
        .hasMessageContaining("jobsPerRunner must be 0 (no cap) or more");
    assertThatThrownBy(() -> q.targetWait(Duration.ofSeconds(-1)))
        .hasMessageContaining("targetWait must be zero or more");
    assertThatThrownBy(() -> builder().defaults(q.launcher("lambda")).build())
        .hasMessageContaining("unknown launcher 'lambda'");
    assertThatThrownBy(() -> builder().leaseTimeout(Duration.ofSeconds(6)).build())
        .hasMessageContaining("at least twice heartbeatInterval");
  }

  /**
   * A record's constructor is public, so it must refuse what build() refuses, in the same words.
   */
  @Test
  void theConstructorChecksWhatTheBuilderChecks() {
    MayflyConfig good = builder().build();
    assertThatThrownBy(() -> with(good, Duration.ofSeconds(6), good.queues()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("leaseTimeout (PT6S) must be at least twice heartbeatInterval");
    assertThatThrownBy(
            () -> with(good, good.leaseTimeout(), Map.of("a", QueueConfig.defaults("b"))))
        .hasMessage("queues: 'a' maps to the settings of queue 'b'");
    assertThatThrownBy(
            () ->
                with(
                    good,
                    good.leaseTimeout(),
                    Map.of("a", QueueConfig.defaults("a").launcher("lambda"))))
        .hasMessageContaining("queue 'a': unknown launcher 'lambda'");
    assertThatThrownBy(() -> with(good, null, good.queues()))
        .hasMessage("leaseTimeout must be positive, was null");
    assertThatThrownBy(
            () ->
                new MayflyConfig(
                    "postgres://nowhere",
                    good.jobs(),
                    good.defaults(),
                    good.queues(),
                    good.schedules(),
                    good.tick(),
                    good.leaseTimeout(),
                    good.launchTimeout(),
                    good.heartbeatInterval(),
                    good.runnerPoll(),
                    good.retention(),
                    good.launchers(),
                    good.environment(),
                    good.clock(),
                    good.ticker(),
                    good.prices(),
                    good.modules(),
                    good.transaction(),
                    good.output()))
        .isInstanceOf(IllegalArgumentException.class);
    // What the builder made passes through the constructor unchanged.
    assertThat(with(good, good.leaseTimeout(), good.queues())).isEqualTo(good);
  }

  private static MayflyConfig with(
      MayflyConfig c, Duration leaseTimeout, Map<String, QueueConfig> queues) {
    return new MayflyConfig(
        c.databaseUrl(),
        c.jobs(),
        c.defaults(),
        queues,
        c.schedules(),
        c.tick(),
        leaseTimeout,
        c.launchTimeout(),
        c.heartbeatInterval(),
        c.runnerPoll(),
        c.retention(),
        c.launchers(),
        c.environment(),
        c.clock(),
        c.ticker(),
        c.prices(),
        c.modules(),
        c.transaction(),
        c.output());
  }

  @Test
  void durationsReadAsPeopleWriteThem() {
    assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(Durations.parse("PT2S")).isEqualTo(Duration.ofSeconds(2));
    assertThatThrownBy(() -> Durations.parse("-5m")).hasMessageContaining("negative");
  }

  @Test
  void selectionFallsBackToLocalWithoutPlatformCredentials() {
    ManualClock clock = new ManualClock(Instant.parse("2026-01-05T09:00:00Z"));
    var s = Launchers.select("auto", Map.of(), clock, clock.ticker(), Map.of());
    assertThat(s.launcher().name()).isEqualTo("local");
    assertThat(s.reason()).contains("no platform credentials");
    assertThat(Launchers.isKnown("kubernetes")).isFalse();
    assertThat(
            Launchers.select("inprocess", Map.of(), clock, clock.ticker(), Map.of())
                .launcher()
                .name())
        .isEqualTo("inprocess");
    assertThatThrownBy(() -> Launchers.select("lambda", Map.of(), clock, clock.ticker(), Map.of()))
        .hasMessageContaining("unknown launcher 'lambda'");
  }
}
