package dev.mayfly.store;

/**
 * A queue's need for runners right now.
 *
 * @param ready jobs that could start now
 * @param runnersAlive runners launching or running
 * @param runnersIdle alive runners not holding a job (still starting, or waiting for work): each
 *     will take a ready job without a new launch
 */
public record QueueDemand(String queue, long ready, int runnersAlive, int runnersIdle) {}
