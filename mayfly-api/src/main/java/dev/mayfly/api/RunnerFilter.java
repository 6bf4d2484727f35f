package dev.mayfly.api;

/** Which runners to list, newest first; null fields match everything. */
public record RunnerFilter(String queue, Boolean alive, int limit) {
  public static RunnerFilter all() {
    return new RunnerFilter(null, null, 100);
  }

  public RunnerFilter queue(String q) {
    return new RunnerFilter(q, alive, limit);
  }

  public RunnerFilter alive(boolean a) {
    return new RunnerFilter(queue, a, limit);
  }

  public RunnerFilter limit(int n) {
    return new RunnerFilter(queue, alive, n);
  }
}
