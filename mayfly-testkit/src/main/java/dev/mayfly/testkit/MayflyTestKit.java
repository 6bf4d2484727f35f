package dev.mayfly.testkit;

import dev.mayfly.Mayfly;
import dev.mayfly.MayflyConfig;
import dev.mayfly.QueueConfig;
import dev.mayfly.api.Job;
import dev.mayfly.api.JobFilter;
import dev.mayfly.api.JobInfo;
import dev.mayfly.api.JobState;
import dev.mayfly.internal.jobs.JobDescriptor;
import dev.mayfly.internal.jobs.JobInstances;
import dev.mayfly.internal.jobs.JobTypes;
import dev.mayfly.protocol.RunnerSettings;
import dev.mayfly.runner.Runner;
import dev.mayfly.store.JobStore;
import dev.mayfly.store.NewRunner;
import dev.mayfly.store.QueueDemand;
import dev.mayfly.store.connect.JobStores;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Mayfly for an app's own tests: a real {@link Mayfly} on a throw-away SQLite file, whose clock
 * stands still until the test moves it, and whose jobs run only when the test says so, in the
 * test's process, through the same runner code a one-off process uses.
 *
 * <pre>{@code
 * try (MayflyTestKit kit = MayflyTestKit.create(SendWelcomeMail.class)) {
 *   new SignUp(kit.mayfly()).register("ada@example.com");
 *   assertThat(kit.enqueued(SendWelcomeMail.class))
 *       .containsExactly(new SendWelcomeMail.Args("ada@example.com"));
 *   kit.drain(); // runs it: retries wait for their backoff, so advance() the clock, drain again
 * }
 * }</pre>
 *
 * <p>Nothing is launched: no dispatcher runs, so no process and no thread starts behind the test's
 * back. Not thread-safe; one kit per test.
 */
public final class MayflyTestKit implements AutoCloseable {
  /** Where the clock starts: a fixed instant, so a test's times are the same on every run. */
  public static final Instant START = Instant.parse("2030-01-01T00:00:00Z");

  private final Path dir;
  private final SettableClock clock;
  private final Mayfly mayfly;
  private final JobStore store;
  private final JobTypes types;

  private MayflyTestKit(Path dir, SettableClock clock, Mayfly mayfly) {
    this.dir = dir;
    this.clock = clock;
    this.mayfly = mayfly;
    this.types = JobTypes.of(mayfly.config().jobs());
    this.store = JobStores.open(mayfly.config().databaseUrl());
  }

  /** A kit knowing {@code jobs}, with every other setting at its default. */
  @SafeVarargs
  public static MayflyTestKit create(Class<? extends Job<?>>... jobs) {
    return create(MayflyConfig.builder().jobs(jobs));
  }

  /**
   * A kit with the app's own settings (queues, job types). The kit sets the database (a new
   * temporary file), the clock and the ticker; everything else is taken from {@code config} and
   * checked as {@link MayflyConfig.Builder#build()} checks it.
   */
  public static MayflyTestKit create(MayflyConfig.Builder config) {
    Path dir;
    try {
      dir = Files.createTempDirectory("mayfly-testkit");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the test kit's database directory", e);
    }
    SettableClock clock = SettableClock.at(START);
    try {
      MayflyConfig built =
          config
              .database(dir.resolve("mayfly.db").toString())
              .clock(clock)
              .ticker(clock.ticker())
              .build();
      return new MayflyTestKit(dir, clock, Mayfly.create(built));
    } catch (RuntimeException e) {
      delete(dir);
      throw e;
    }
  }

  /** The Mayfly to hand to the code under test: its enqueues land in this kit. */
  public Mayfly mayfly() {
    return mayfly;
  }

  /** The kit's time, which is also Mayfly's: what enqueues, runs and retries are stamped with. */
  public Instant now() {
    return clock.instant();
  }

  /** Moves the clock on, so jobs scheduled or waiting for a retry come due. */
  public Instant advance(Duration d) {
    return clock.advance(d);
  }

  /**
   * The kit's clock, which is also Mayfly's, for the app's own code under test: the app and its
   * jobs then read the same time as the kit.
   */
  public SettableClock clock() {
    return clock;
  }

  /**
   * The arguments of the jobs of {@code type} waiting for their first run or a later one (queued,
   * or scheduled for later), oldest first.
   */
  public <A extends Record, J extends Job<A>> List<A> enqueued(Class<J> type) {
    JobDescriptor d = types.byClass(type);
    List<A> args = new ArrayList<>();
    for (JobInfo job : waiting(d.name())) {
      @SuppressWarnings("unchecked")
      A a = (A) types.bind(d, job.args());
      args.add(a);
    }
    return args;
  }

  private List<JobInfo> waiting(String type) {
    return Stream.of(JobState.QUEUED, JobState.SCHEDULED)
        .flatMap(s -> allJobs(JobFilter.all().type(type).state(s)).stream())
        .sorted(Comparator.comparingLong(JobInfo::id))
        .toList();
  }

  /**
   * Runs every job that is due now, queue by queue, until none is left, and returns the jobs that
   * ran (each as it is now: succeeded, failed and waiting for its retry, dead, ...), by id. Jobs
   * the running ones enqueue run too, if due. A failed job's retry is not due until its backoff has
   * passed: {@link #advance} the clock and drain again.
   */
  public List<JobInfo> drain() {
    Map<Long, Integer> before = attempts();
    while (true) {
      List<String> queues =
          store.fleet().demand(clock.instant()).stream()
              .filter(d -> d.ready() > 0)
              .map(QueueDemand::queue)
              .toList();
      if (queues.isEmpty()) {
        break;
      }
      queues.forEach(this::runQueue);
    }
    List<JobInfo> ran = new ArrayList<>();
    for (JobInfo job : allJobs(JobFilter.all())) {
      if (job.attempts() != before.getOrDefault(job.id(), 0)) {
        ran.add(job);
      }
    }
    ran.sort(Comparator.comparingLong(JobInfo::id));
    return ran;
  }

  /** One runner on {@code queue}, in this thread, until the queue has nothing due. */
  private void runQueue(String queue) {
    MayflyConfig config = mayfly.config();
    QueueConfig q = config.queue(queue);
    Instant at = clock.instant();
    String runnerId =
        store
            .fleet()
            .reserveRunners(new NewRunner(queue, "testkit", q.size(), at), Integer.MAX_VALUE, 1)
            .getFirst();
    RunnerSettings settings =
        new RunnerSettings(
            runnerId,
            queue,
            config.databaseUrl(),
            types.encode(),
            0, // no job cap
            Duration.ZERO, // leave as soon as nothing is due: the clock stands still
            at.plus(q.timeToLive()),
            config.runnerPoll(),
            config.leaseTimeout(),
            config.heartbeatInterval(),
            1,
            false);
    new Runner(
            settings,
            store,
            types,
            clock,
            clock.ticker(),
            new PrintStream(OutputStream.nullOutputStream()),
            JobInstances.CONSTRUCTOR)
        .run();
  }

  private Map<Long, Integer> attempts() {
    Map<Long, Integer> attempts = new HashMap<>();
    allJobs(JobFilter.all()).forEach(j -> attempts.put(j.id(), j.attempts()));
    return attempts;
  }

  private List<JobInfo> allJobs(JobFilter filter) {
    return store.reads().jobs(filter.limit(Integer.MAX_VALUE), clock.instant());
  }

  /** Closes the store and deletes its file. */
  @Override
  public void close() {
    try {
      store.close();
      mayfly.close();
    } finally {
      delete(dir);
    }
  }

  private static void delete(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary directory left behind is harmless
    }
  }
}
