package dev.mayfly.store.jdbc;

import dev.mayfly.store.Fleet;
import dev.mayfly.store.Intake;
import dev.mayfly.store.JobStore;
import dev.mayfly.store.ReadModel;
import dev.mayfly.store.RunnerQueue;
import dev.mayfly.store.ScheduleStore;
import java.util.function.Consumer;

/**
 * A {@link JobStore} in SQL: the same tables on SQLite and PostgreSQL, times as epoch milliseconds,
 * one class per role ({@link JdbcIntake}, {@link JdbcRunnerQueue}, {@link JdbcFleet}, {@link
 * JdbcReads}, {@link JdbcSchedules}) over one {@link Dialect}.
 *
 * <p>Where the databases differ, each difference has one place, chosen when the store is composed
 * here: the dialect for connections, transactions, row and queue locks and announcements; a {@link
 * JobInserter} for how jobs are inserted; {@link RunnerSteps} for a runner's report-in and its
 * outcomes, each done with a claim. SQLite composes the general ones ({@link RowByRowInserter},
 * {@link TransactionalSteps}); PostgreSQL its own, whose single statements are what its throughput
 * is made of. No role asks the database whether it has a faster way: it was given the database's
 * way.
 */
public final class JdbcStore implements JobStore {
  private final Dialect db;
  private final Intake intake;
  private final RunnerQueue runnerQueue;
  private final Fleet fleet;
  private final ReadModel reads;
  private final ScheduleStore schedules;

  public JdbcStore(Dialect db, JobInserter inserter, RunnerSteps steps) {
    this.db = db;
    this.reads = new JdbcReads(db);
    this.intake = new JdbcIntake(db, inserter, reads);
    this.runnerQueue = new JdbcRunnerQueue(db, steps);
    this.fleet = new JdbcFleet(db);
    this.schedules = new JdbcSchedules(db, inserter);
  }

  @Override
  public Intake intake() {
    return intake;
  }

  @Override
  public RunnerQueue runnerQueue() {
    return runnerQueue;
  }

  @Override
  public Fleet fleet() {
    return fleet;
  }

  @Override
  public ReadModel reads() {
    return reads;
  }

  @Override
  public ScheduleStore schedules() {
    return schedules;
  }

  @Override
  public AutoCloseable listen(Consumer<String> listener) {
    return db.listen(listener);
  }

  @Override
  public void close() {
    db.close();
  }
}
