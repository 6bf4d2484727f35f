package dev.mayfly.api;

import org.jspecify.annotations.Nullable;

/**
 * How many jobs of a queue are in each state, and how many runners serve it now.
 *
 * @param unrunnable ready jobs no runner of the queue may take: their timeout is longer than its
 *     runners live (the queue's time-to-live was lowered after they were enqueued). No runner is
 *     launched for them; they run once the queue's configuration lets them.
 * @param problem why the unrunnable jobs cannot run and what to change; null when there are none
 */
public record QueueCounts(
    String queue,
    long queued,
    long scheduled,
    long running,
    long succeeded,
    long failed,
    long dead,
    long cancelled,
    int runnersAlive,
    long unrunnable,
    @Nullable String problem) {

  public QueueCounts(
      String queue,
      long queued,
      long scheduled,
      long running,
      long succeeded,
      long failed,
      long dead,
      long cancelled,
      int runnersAlive) {
    this(
        queue,
        queued,
        scheduled,
        running,
        succeeded,
        failed,
        dead,
        cancelled,
        runnersAlive,
        0,
        null);
  }

  public long unfinished() {
    return queued + scheduled + running;
  }

  /** These counts, with {@code n} ready jobs that cannot run, for the reason given. */
  public QueueCounts withUnrunnable(long n, @Nullable String why) {
    return new QueueCounts(
        queue,
        queued,
        scheduled,
        running,
        succeeded,
        failed,
        dead,
        cancelled,
        runnersAlive,
        n,
        n == 0 ? null : why);
  }
}
