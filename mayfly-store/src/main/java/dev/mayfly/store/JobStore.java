package dev.mayfly.store;

import java.util.function.Consumer;

/**
 * One opened store: the durable queue of jobs, their attempts and logs, and the runners that ran
 * them, in one database. Every app node and every runner process opens its own on the same
 * database; the database is the only shared state, so every operation of every role is a
 * self-contained, atomic step. Times are passed in by the caller (from its injected clock), never
 * read from the database. Safe for use by several threads.
 *
 * <p>The handle owns the connections and hands out one interface per caller: {@link #runnerQueue()}
 * to a runner process, {@link #fleet()} to the dispatcher, {@link #intake()} to whatever makes and
 * manages jobs, {@link #reads()} to what shows them, {@link #schedules()} to the scheduler. Each
 * caller takes only the role it needs. New store work (limits, batches, durable steps...) gets a
 * role interface and an accessor of its own here, rather than growing one of these.
 *
 * <p>Contract tests: one abstract suite per role in this module's test jar ({@code
 * RunnerQueueContract}, {@code FleetContract}, {@code IntakeContract}, {@code ReadModelContract},
 * {@code ScheduleStoreContract}); every implementation runs all of them.
 */
public interface JobStore extends AutoCloseable {

  /** Making jobs, cancelling and retrying them. */
  Intake intake();

  /** What a runner process does: report in, claim, heartbeat, record outcomes, leave. */
  RunnerQueue runnerQueue();

  /** What a dispatcher does: demand, runner slots, launches and exits, recovery, pruning. */
  Fleet fleet();

  /** Jobs, runners, counts and costs, read. */
  ReadModel reads();

  /** Recurring jobs. */
  ScheduleStore schedules();

  /** What {@link #listen} passes when any queue may have ready jobs; never a queue's name. */
  String ANY_QUEUE = "*";

  /**
   * Calls {@code listener} with a queue's name soon after jobs become ready in it, from any
   * process, where the database can tell (PostgreSQL's LISTEN/NOTIFY), and with {@link #ANY_QUEUE}
   * each time listening (re)starts, since jobs may have become ready while nothing listened.
   * Notifications may be lost or late: they are a hint to look now, never a substitute for polling.
   * Returns a handle that stops the listening; a store that cannot listen returns one that does
   * nothing.
   */
  AutoCloseable listen(Consumer<String> listener);

  /** Closes the connections; the roles handed out cannot be used after. */
  @Override
  void close();
}
