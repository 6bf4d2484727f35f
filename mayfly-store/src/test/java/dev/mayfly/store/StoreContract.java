package dev.mayfly.store;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the store's contract suites share: a fresh store per test from {@link #stores()}, its roles,
 * and the fixtures the tests build with. A suite per role extends it ({@code RunnerQueueContract},
 * {@code FleetContract}, {@code IntakeContract}, {@code ReadModelContract}, {@code
 * ScheduleStoreContract}); so do a database's own tests.
 */
public abstract class StoreContract {
  protected static final Duration TIMEOUT = Duration.ofMinutes(5);
  protected static final Duration PLENTY = Duration.ofHours(1);
  protected final Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
  protected JobStore store;
  protected Intake intake;
  protected RunnerQueue runnerQueue;
  protected Fleet fleet;
  protected ReadModel reads;
  protected ScheduleStore schedules;
  private TestStores stores;
  private final List<JobStore> opened = new ArrayList<>();

  /** The database this suite runs on; called once per test. */
  protected abstract TestStores stores();

  @BeforeEach
  void openStore() throws Exception {
    stores = stores();
    store = track(stores.openFresh());
    intake = store.intake();
    runnerQueue = store.runnerQueue();
    fleet = store.fleet();
    reads = store.reads();
    schedules = store.schedules();
  }

  @AfterEach
  void dropDatabase() {
    closeStores();
    stores.drop();
  }

  /** Closes every handle opened so far. */
  protected void closeStores() {
    opened.forEach(JobStore::close);
    opened.clear();
  }

  /** Another handle on the database, as another process would open; {@link #track} closes it. */
  protected JobStore openAnother() throws Exception {
    return stores.openAnother();
  }

  /** A plain JDBC connection to the store's database, as an app's own pool would give. */
  protected java.sql.Connection connect() throws java.sql.SQLException {
    return stores.connect();
  }

  protected JobStore track(JobStore s) {
    opened.add(s);
    return s;
  }

  protected NewJob job(String queue) {
    return new NewJob("sleep", queue, "{\"millis\":1}", 0, t0, TIMEOUT, 5, t0);
  }

  /** One job of {@code queue} claimed for {@code runner}, as a runner leasing it 30 s would. */
  protected static Optional<ClaimedJob> claim(
      RunnerQueue q, String queue, String runner, Instant now) {
    return first(q.claim(new ClaimRequest(queue, runner, now, PLENTY, now.plusSeconds(30), 1)));
  }

  /** The first job of a claim, if it got any. */
  protected static Optional<ClaimedJob> first(List<ClaimedJob> claimed) {
    return claimed.stream().findFirst();
  }

  /** {@link RunnerQueue#finishAllAndClaim} of one success, claiming up to 5 of queue default. */
  protected FinishedAndClaimed succeedAndClaim(String runner, long jobId, Instant at) {
    return runnerQueue.finishAllAndClaim(
        List.of(new Finished(jobId, new Finish.Succeeded(at))),
        new ClaimRequest("default", runner, at, PLENTY, at.plusSeconds(30), 5));
  }

  /** What four handles on the database return when they do {@code work} at the same moment. */
  protected <T> List<T> race(java.util.function.Function<JobStore, T> work) throws Exception {
    int handles = 4;
    ExecutorService pool = Executors.newFixedThreadPool(handles);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<T>> results = new ArrayList<>();
    for (int h = 0; h < handles; h++) {
      JobStore handle = track(openAnother());
      results.add(
          pool.submit(
              () -> {
                start.await();
                return work.apply(handle);
              }));
    }
    start.countDown();
    List<T> out = new ArrayList<>();
    for (Future<T> f : results) {
      out.add(f.get());
    }
    pool.shutdown();
    return out;
  }

  /** A runner that has reported in, launched at {@code at}. */
  protected String started(String queue, Instant at) {
    String r = fleet.reserveRunners(new NewRunner(queue, "local", null, at), 100, 1).getFirst();
    runnerQueue.runnerStarted(r, at);
    return r;
  }

  protected String reserveOne(String queue) {
    return fleet.reserveRunners(new NewRunner(queue, "local", null, t0), 100, 1).getFirst();
  }
}
