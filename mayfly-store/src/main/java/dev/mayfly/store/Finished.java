package dev.mayfly.store;

/** How one job's attempt ended, for {@link RunnerQueue#finishAll}. */
public record Finished(long jobId, Finish finish) {}
