package dev.mayfly.api;

import org.jspecify.annotations.Nullable;

/**
 * Which jobs to list, newest (highest id) first; null fields match everything.
 *
 * @param before a cursor: only jobs with a smaller id. The next page of a full page is the same
 *     filter with {@code before} set to the last job's id; ids never change, so pages neither skip
 *     nor repeat a job however many are enqueued between them.
 */
public record JobFilter(
    @Nullable JobState state,
    @Nullable String queue,
    @Nullable String type,
    @Nullable Long before,
    int limit) {
  public static JobFilter all() {
    return new JobFilter(null, null, null, null, 100);
  }

  public JobFilter state(@Nullable JobState s) {
    return new JobFilter(s, queue, type, before, limit);
  }

  public JobFilter queue(@Nullable String q) {
    return new JobFilter(state, q, type, before, limit);
  }

  public JobFilter type(@Nullable String t) {
    return new JobFilter(state, queue, t, before, limit);
  }

  /** The page after the one that ended with job {@code id}; null for the first page. */
  public JobFilter before(@Nullable Long id) {
    return new JobFilter(state, queue, type, id, limit);
  }

  public JobFilter limit(int n) {
    return new JobFilter(state, queue, type, before, n);
  }
}
