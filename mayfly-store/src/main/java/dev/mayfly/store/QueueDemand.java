package dev.mayfly.store;

/**
 * A queue's need for runners right now: its ready jobs and its alive runners by what they are
 * doing.
 *
 * @param ready jobs that could start now
 * @param runnersLaunching runners launched that have not reported in yet
 * @param runnersBusy started runners holding a job
 * @param runnersIdle started runners holding none: they take the next ready job at once
 */
public record QueueDemand(
    String queue, long ready, int runnersLaunching, int runnersBusy, int runnersIdle) {

  /** Runners launching or running: what counts against the queue's cap. */
  public int runnersAlive() {
    return runnersLaunching + runnersBusy + runnersIdle;
  }
}
