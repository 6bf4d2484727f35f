package dev.mayfly.store;

/**
 * A queue's need for runners right now: its ready jobs and its alive runners by what they are
 * doing.
 *
 * @param ready jobs that could start now
 * @param unrunnable ready jobs that no runner of the queue may claim: their timeout is longer than
 *     the queue's runners live (its time-to-live was lowered after they were enqueued). They are
 *     not demand: a runner launched for them would leave without one.
 * @param runnersLaunching runners launched that have not reported in yet
 * @param runnersBusy started runners holding a job
 * @param runnersIdle started runners holding none: they take the next ready job at once
 */
public record QueueDemand(
    String queue,
    long ready,
    long unrunnable,
    int runnersLaunching,
    int runnersBusy,
    int runnersIdle) {

  /** Demand with every ready job runnable. */
  public QueueDemand(
      String queue, long ready, int runnersLaunching, int runnersBusy, int runnersIdle) {
    this(queue, ready, 0, runnersLaunching, runnersBusy, runnersIdle);
  }

  /** Runners launching or running: what counts against the queue's cap. */
  public int runnersAlive() {
    return runnersLaunching + runnersBusy + runnersIdle;
  }
}
