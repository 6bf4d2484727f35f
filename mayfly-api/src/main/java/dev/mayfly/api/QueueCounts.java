package dev.mayfly.api;

/** How many jobs of a queue are in each state, and how many runners serve it now. */
public record QueueCounts(
    String queue,
    long queued,
    long scheduled,
    long running,
    long succeeded,
    long failed,
    long dead,
    long cancelled,
    int runnersAlive) {

  public long unfinished() {
    return queued + scheduled + running;
  }
}
