package dev.mayfly.api;

/**
 * Which jobs to list, newest (highest id) first; null fields match everything.
 *
 * @param before a cursor: only jobs with a smaller id. The next page of a full page is the same
 *     filter with {@code before} set to the last job's id; ids never change, so pages neither skip
 *     nor repeat a job however many are enqueued between them.
 */
public record JobFilter(JobState state, String queue, String type, Long before, int limit) {
  public static JobFilter all() {
    return new JobFilter(null, null, null, null, 100);
  }

  public JobFilter state(JobState s) {
    return new JobFilter(s, queue, type, before, limit);
  }

  public JobFilter queue(String q) {
    return new JobFilter(state, q, type, before, limit);
  }

  public JobFilter type(String t) {
    return new JobFilter(state, queue, t, before, limit);
  }

  /** The page after the one that ended with job {@code id}; null for the first page. */
  public JobFilter before(Long id) {
    return new JobFilter(state, queue, type, id, limit);
  }

  public JobFilter limit(int n) {
    return new JobFilter(state, queue, type, before, n);
  }
}
