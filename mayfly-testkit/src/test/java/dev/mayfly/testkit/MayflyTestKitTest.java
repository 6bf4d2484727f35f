package dev.mayfly.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mayfly.MayflyConfig;
import dev.mayfly.QueueConfig;
import dev.mayfly.api.EnqueueOptions;
import dev.mayfly.api.Job;
import dev.mayfly.api.JobContext;
import dev.mayfly.api.JobInfo;
import dev.mayfly.api.JobState;
import dev.mayfly.api.JobType;
import dev.mayfly.api.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The kit as a user's test would use it, on jobs like a user's. */
class MayflyTestKitTest {
  /** What the jobs did, where a test can see it. */
  static final List<String> SENT = new CopyOnWriteArrayList<>();

  @JobType("send-welcome-mail")
  public static final class SendWelcomeMail implements Job<SendWelcomeMail.Args> {
    public record Args(String to) {}

    @Override
    public Outcome perform(Args args, JobContext ctx) {
      SENT.add(args.to());
      ctx.log().info("sent to " + args.to());
      return Outcome.success();
    }
  }

  /** Fails while the mail server is "down", with a 10 s backoff before its first retry. */
  @JobType(value = "flaky-mail", maxAttempts = 3, backoffSeconds = 10)
  public static final class FlakyMail implements Job<FlakyMail.Args> {
    public record Args(String to) {}

    static volatile boolean down = true;

    @Override
    public Outcome perform(Args args, JobContext ctx) {
      if (down) {
        throw new IllegalStateException("mail server down");
      }
      SENT.add(args.to());
      return Outcome.success();
    }
  }

  @BeforeEach
  void reset() {
    SENT.clear();
    FlakyMail.down = true;
  }

  @Test
  void whatWasEnqueuedIsVisibleAndDrainRunsIt() {
    try (MayflyTestKit kit = MayflyTestKit.create(SendWelcomeMail.class)) {
      kit.mayfly().enqueue(SendWelcomeMail.class, new SendWelcomeMail.Args("ada@example.com"));
      kit.mayfly().enqueue(SendWelcomeMail.class, new SendWelcomeMail.Args("bob@example.com"));

      assertThat(kit.enqueued(SendWelcomeMail.class))
          .containsExactly(
              new SendWelcomeMail.Args("ada@example.com"),
              new SendWelcomeMail.Args("bob@example.com"));
      assertThat(SENT).as("nothing runs until the test drains").isEmpty();

      List<JobInfo> ran = kit.drain();

      assertThat(ran).extracting(JobInfo::state).containsOnly(JobState.SUCCEEDED).hasSize(2);
      assertThat(SENT).containsExactlyInAnyOrder("ada@example.com", "bob@example.com");
      assertThat(kit.enqueued(SendWelcomeMail.class)).isEmpty();
      assertThat(kit.mayfly().admin().jobDetail(ran.getFirst().id()).orElseThrow().log())
          .anySatisfy(l -> assertThat(l.message()).isEqualTo("sent to ada@example.com"));
      assertThat(kit.drain()).as("nothing left").isEmpty();
    }
  }

  @Test
  void aRetryWaitsForItsBackoffOnTheKitsClock() {
    try (MayflyTestKit kit = MayflyTestKit.create(FlakyMail.class)) {
      long id = kit.mayfly().enqueue(FlakyMail.class, new FlakyMail.Args("ada@example.com"));

      assertThat(kit.drain())
          .singleElement()
          .satisfies(
              j -> {
                assertThat(j.state()).isEqualTo(JobState.FAILED);
                assertThat(j.error()).contains("mail server down");
              });
      assertThat(kit.drain()).as("the retry is not due yet").isEmpty();

      FlakyMail.down = false;
      kit.advance(Duration.ofSeconds(13)); // 10 s ± 25% jitter
      assertThat(kit.drain())
          .singleElement()
          .satisfies(
              j -> {
                assertThat(j.id()).isEqualTo(id);
                assertThat(j.state()).isEqualTo(JobState.SUCCEEDED);
                assertThat(j.attempts()).isEqualTo(2);
              });
      assertThat(SENT).containsExactly("ada@example.com");
    }
  }

  @Test
  void aDelayedJobRunsWhenTheClockReachesIt() {
    try (MayflyTestKit kit = MayflyTestKit.create(SendWelcomeMail.class)) {
      kit.mayfly()
          .enqueue(
              SendWelcomeMail.class,
              new SendWelcomeMail.Args("later@example.com"),
              EnqueueOptions.defaults().delay(Duration.ofHours(1)));

      assertThat(kit.enqueued(SendWelcomeMail.class)).hasSize(1);
      assertThat(kit.drain()).isEmpty();
      kit.advance(Duration.ofMinutes(59));
      assertThat(kit.drain()).isEmpty();
      kit.advance(Duration.ofMinutes(1));
      assertThat(kit.drain()).hasSize(1);
      assertThat(SENT).containsExactly("later@example.com");
    }
  }

  @Test
  void theAppsOwnQueuesAreDrainedEachByItsRunner() {
    MayflyConfig.Builder config =
        MayflyConfig.builder()
            .environment(java.util.Map.of())
            .jobs(SendWelcomeMail.class)
            .queue(QueueConfig.defaults("mail").maxRunners(2));
    try (MayflyTestKit kit = MayflyTestKit.create(config)) {
      kit.mayfly()
          .enqueue(
              SendWelcomeMail.class,
              new SendWelcomeMail.Args("a@example.com"),
              EnqueueOptions.defaults().queue("mail"));
      kit.mayfly().enqueue(SendWelcomeMail.class, new SendWelcomeMail.Args("b@example.com"));

      assertThat(kit.drain()).extracting(JobInfo::queue).containsExactly("mail", "default");
      assertThat(kit.mayfly().admin().runners(dev.mayfly.api.RunnerFilter.all()))
          .extracting(r -> r.queue())
          .containsExactlyInAnyOrder("mail", "default");
    }
  }

  @Test
  void theKitsClockIsMayflysClockForTheAppsOwnCodeToo() {
    try (MayflyTestKit kit = MayflyTestKit.create(SendWelcomeMail.class)) {
      SettableClock clock = kit.clock();
      clock.set(Instant.parse("2031-06-01T12:00:00Z"));
      long id =
          kit.mayfly().enqueue(SendWelcomeMail.class, new SendWelcomeMail.Args("c@example.com"));

      assertThat(kit.now()).isEqualTo(clock.instant());
      assertThat(kit.mayfly().config().clock().instant()).isEqualTo(clock.instant());
      assertThat(kit.mayfly().admin().job(id).orElseThrow().enqueuedAt())
          .isEqualTo(Instant.parse("2031-06-01T12:00:00Z"));
      assertThat(kit.mayfly().config().ticker().getAsLong()).isZero();
      kit.advance(Duration.ofSeconds(3));
      assertThat(kit.mayfly().config().ticker().getAsLong())
          .isEqualTo(Duration.ofSeconds(3).toNanos());
    }
  }

  @Test
  void closingDeletesTheStoreAndTheClockOnlyMovesForward() {
    Path db;
    try (MayflyTestKit kit = MayflyTestKit.create(SendWelcomeMail.class)) {
      db = Path.of(kit.mayfly().config().databaseUrl().substring("jdbc:sqlite:".length()));
      assertThat(db).exists();
      assertThat(kit.now()).isEqualTo(MayflyTestKit.START);
      assertThatThrownBy(() -> kit.advance(Duration.ofSeconds(-1)))
          .hasMessageContaining("only moves forward");
    }
    assertThat(Files.exists(db.getParent())).isFalse();
  }
}
