package dev.mayfly.api;

/** Which jobs to list, newest first; null fields match everything. */
public record JobFilter(JobState state, String queue, String type, int limit) {
  public static JobFilter all() {
    return new JobFilter(null, null, null, 100);
  }

  public JobFilter state(JobState s) {
    return new JobFilter(s, queue, type, limit);
  }

  public JobFilter queue(String q) {
    return new JobFilter(state, q, type, limit);
  }

  public JobFilter type(String t) {
    return new JobFilter(state, queue, t, limit);
  }

  public JobFilter limit(int n) {
    return new JobFilter(state, queue, type, n);
  }
}
