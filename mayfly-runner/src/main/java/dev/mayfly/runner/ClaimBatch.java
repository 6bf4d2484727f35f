package dev.mayfly.runner;

/**
 * How many jobs a runner claims at once when its queue's batch is automatic ({@code claim-batch
 * auto}, the default).
 *
 * <p>Each claim, and each recording of outcomes, is a round trip to the database and a commit: for
 * a job of a few milliseconds that costs as much as the job. Claiming several saves it, but holds
 * the claimed jobs back from other runners and delays their recorded outcomes until the batch ends.
 * So the batch is as many jobs as the runner's recent jobs took to fill {@link #BUDGET_NANOS} (a
 * tenth of a second), at most {@link #MAX}: jobs of 100 ms or more go one at a time, as with {@code
 * claim-batch 1}; jobs of 2 ms go 50 at a time. A runner's first claim takes one job, since it
 * knows nothing yet; the measure is a moving average, so a queue whose jobs grow longer shrinks its
 * batches within a few jobs.
 */
final class ClaimBatch {
  static final long BUDGET_NANOS = 100_000_000L;
  static final int MAX = 50;
  private static final double WEIGHT = 0.2; // of the newest duration in the moving average

  private final int fixed;
  private double averageNanos = -1;

  /**
   * @param fixed the queue's claim batch: 0 for automatic, else that many every time
   */
  ClaimBatch(int fixed) {
    this.fixed = fixed;
  }

  /** One job ran for {@code nanos}. */
  void ran(long nanos) {
    long n = Math.max(0, nanos);
    averageNanos = averageNanos < 0 ? n : (1 - WEIGHT) * averageNanos + WEIGHT * n;
  }

  /** How many jobs to claim next. */
  int size() {
    if (fixed > 0) {
      return fixed;
    }
    if (averageNanos < 0) {
      return 1;
    }
    double fits = BUDGET_NANOS / Math.max(1.0, averageNanos);
    return (int) Math.max(1, Math.min(MAX, fits));
  }
}
