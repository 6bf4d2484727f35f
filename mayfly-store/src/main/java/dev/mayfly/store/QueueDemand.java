package dev.mayfly.store;

/**
 * A queue's need for runners right now.
 *
 * @param ready jobs that could start now
 * @param runnersAlive runners launching or running
 * @param runnersBusy alive runners holding a job
 * @param jobsRunByAlive jobs already finished by the alive runners: with {@code runnersBusy} it
 *     tells how many more jobs the alive runners will take before they exit
 */
public record QueueDemand(
    String queue, long ready, int runnersAlive, int runnersBusy, long jobsRunByAlive) {}
