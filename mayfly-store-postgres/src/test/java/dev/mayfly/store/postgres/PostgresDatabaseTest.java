package dev.mayfly.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.mayfly.store.ClaimRequest;
import dev.mayfly.store.ClaimedJob;
import dev.mayfly.store.Finish;
import dev.mayfly.store.Finished;
import dev.mayfly.store.FinishedAndClaimed;
import dev.mayfly.store.JobStore;
import dev.mayfly.store.StoreContract;
import dev.mayfly.store.StoreException;
import dev.mayfly.store.TestStores;
import dev.mayfly.store.connect.JobStores;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What only the PostgreSQL store does: migrations shared by nodes, notifications, row locks. */
class PostgresDatabaseTest extends StoreContract {
  private PostgresTestStores pg;
  private String url = "";

  @Override
  protected TestStores stores() {
    pg = PostgresTestStores.pooled();
    return pg;
  }

  @BeforeEach
  void url() {
    url = pg.url();
  }

  @Test
  void anUnreachableServerIsReportedWithWhatToCheck() {
    assertThatThrownBy(() -> JobStores.open("postgres://nobody:secret@127.0.0.1:1/none"))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining(
            "cannot connect to PostgreSQL at postgresql://nobody@127.0.0.1:1/none")
        .hasMessageContaining("Check that the server runs")
        .hasMessageNotContaining("secret");
  }

  @Test
  void aSchemaNewerThanTheCodeIsRefused() {
    TestDatabase.execute(
        "INSERT INTO "
            + schema()
            + ".mayfly_schema (version, script, applied_at) VALUES (99, 'x', 0)");
    assertThatThrownBy(() -> JobStores.open(url))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("schema version 99");
  }

  @Test
  void aSchemaOfItsOwnIsMigratedEvenWhenTheSearchPathReachesAnotherMayfly() throws Exception {
    // The search path reaches this test's migrated schema after an empty one: unqualified CREATE
    // TABLE goes to the empty one, so that is where the version must be read, not through the path.
    String empty = TestDatabase.freshSchemaUrl();
    String both = empty + "," + schema();
    try (JobStore runners = JobStores.openForRunner(both);
        Connection c = DriverManager.getConnection(TestDatabase.BASE);
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = '"
                    + TestDatabase.schemaOf(empty)
                    + "' AND table_name = 'mayfly_jobs'")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(1);
    } finally {
      TestDatabase.dropSchema(empty);
    }
  }

  @Test
  void nodesStartingTogetherMigrateOnce() throws Exception {
    String fresh = TestDatabase.freshSchemaUrl();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<JobStore>> opened = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        opened.add(pool.submit(() -> JobStores.open(fresh, 2)));
      }
      for (Future<JobStore> f : opened) {
        track(f.get());
      }
      assertThat(opened).hasSize(4);
    } finally {
      pool.shutdown();
      closeStores();
      TestDatabase.dropSchema(fresh);
    }
  }

  @Test
  void enqueueIsAnnouncedToListenersInOtherProcesses() throws Exception {
    List<String> heard = new CopyOnWriteArrayList<>();
    try (AutoCloseable listening = track(openAnother()).listen(heard::add)) {
      // first "look at every queue": what became ready before it listened was not announced
      await().atMost(Duration.ofSeconds(10)).until(() -> heard.contains(JobStore.ANY_QUEUE));
      assertThat(heard).first().isEqualTo(JobStore.ANY_QUEUE);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> {
                intake.enqueue(job("mail"));
                return heard.contains("mail");
              });
    }
  }

  /**
   * A runner's finish takes its job's row and then its own runner row; its heartbeat, on another
   * connection, must never hold the runner row while waiting for a job row, or the two deadlock
   * (PostgreSQL breaks that after a second by aborting one of them, seen in the benchmark's log).
   */
  @Test
  void aHeartbeatNeverWaitsForARowItsRunnerIsFinishing() throws Exception {
    String runner = started("default", t0);
    long id = runningJob(runner);
    try (Connection finishing = DriverManager.getConnection(url)) {
      finishing.setAutoCommit(false);
      try (Statement s = finishing.createStatement()) {
        s.executeUpdate("UPDATE mayfly_jobs SET error = NULL WHERE id = " + id);
        assertThat(
                assertTimeoutPreemptively(
                    Duration.ofSeconds(60), // only a guard against hanging: it returns at once
                    () -> runnerQueue.heartbeat(runner, t0.plusSeconds(5), t0.plusSeconds(35))))
            .isEmpty();
        s.executeUpdate(
            "UPDATE mayfly_runners SET jobs_run = jobs_run + 1 WHERE id = '" + runner + "'");
      }
      finishing.commit();
    }
    assertThat(reads.runner(runner, t0).orElseThrow().jobsRun()).isEqualTo(1);
  }

  /**
   * A runner records its finished jobs before it picks the next: a pick may leave a job locked that
   * it passed over (another runner's, seen through an older snapshot), and a runner that picked
   * first held a job someone else was waiting on while it waited for its own: a deadlock.
   */
  @Test
  void aRunnerRecordsWhatItFinishedBeforeItPicksMore() throws Exception {
    String runner = started("default", t0);
    long finished = runningJob(runner);
    long next = intake.enqueue(job("default"));
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try (Connection other = DriverManager.getConnection(url)) {
      other.setAutoCommit(false);
      try (Statement s = other.createStatement()) {
        // another runner's pick holds the finished job's row, as a stale pick can
        s.executeQuery("SELECT id FROM mayfly_jobs WHERE id = " + finished + " FOR UPDATE").close();
        int otherPid = one(s, "SELECT pg_backend_pid()");
        Future<FinishedAndClaimed> finishing =
            pool.submit(
                () ->
                    runnerQueue.finishAllAndClaim(
                        List.of(new Finished(finished, new Finish.Succeeded(t0.plusSeconds(1)))),
                        new ClaimRequest(
                            "default",
                            runner,
                            t0.plusSeconds(1),
                            Duration.ofHours(1),
                            t0.plusSeconds(31),
                            1)));
        try (Connection watch = DriverManager.getConnection(url);
            Statement w = watch.createStatement()) {
          await()
              .atMost(Duration.ofSeconds(30))
              .until(
                  () ->
                      one(
                              w,
                              "SELECT count(*) FROM pg_stat_activity"
                                  + " WHERE "
                                  + otherPid
                                  + " = ANY(pg_blocking_pids(pid))")
                          == 1);
        }
        // the runner waits to record its job; it must not hold the next one meanwhile
        s.executeQuery("SELECT id FROM mayfly_jobs WHERE id = " + next + " FOR UPDATE NOWAIT")
            .close();
        other.commit();
        FinishedAndClaimed result = finishing.get();
        assertThat(result.recorded()).containsExactly(true);
        assertThat(result.claimed()).map(ClaimedJob::id).containsExactly(next);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private long runningJob(String runner) {
    long id = intake.enqueue(job("default"));
    assertThat(
            first(
                runnerQueue.claim(
                    new ClaimRequest(
                        "default", runner, t0, Duration.ofHours(1), t0.plusSeconds(30), 1))))
        .map(ClaimedJob::id)
        .contains(id);
    return id;
  }

  private static int one(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private String schema() {
    return TestDatabase.schemaOf(url);
  }
}
