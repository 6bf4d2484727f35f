package dev.mayfly.api;

import org.jspecify.annotations.Nullable;

/**
 * Which runners to list, newest (latest launched) first; null fields match everything.
 *
 * @param before a cursor: only runners listed after runner {@code before} in that order. The next
 *     page of a full page is the same filter with {@code before} set to the last runner's id.
 */
public record RunnerFilter(
    @Nullable String queue, @Nullable Boolean alive, @Nullable String before, int limit) {
  public static RunnerFilter all() {
    return new RunnerFilter(null, null, null, 100);
  }

  public RunnerFilter queue(@Nullable String q) {
    return new RunnerFilter(q, alive, before, limit);
  }

  public RunnerFilter alive(boolean a) {
    return new RunnerFilter(queue, a, before, limit);
  }

  /** The page after the one that ended with runner {@code id}; null for the first page. */
  public RunnerFilter before(@Nullable String id) {
    return new RunnerFilter(queue, alive, id, limit);
  }

  public RunnerFilter limit(int n) {
    return new RunnerFilter(queue, alive, before, n);
  }
}
