package dev.mayfly.bench;

/**
 * One throughput run; the JSON field names are those {@code mayfly bench throughput --json}
 * documents.
 */
public record Result(
    String system,
    String store,
    int jobs,
    int workers,
    double enqueuePerSecond,
    double batchEnqueuePerSecond,
    double executePerSecond,
    double latencyP50Millis,
    double latencyP99Millis) {

  static double perSecond(long n, long nanos) {
    return nanos <= 0 ? 0 : n * 1e9 / nanos;
  }

  static double percentileMillis(long[] nanos, double p) {
    if (nanos.length == 0) {
      return Double.NaN;
    }
    long[] sorted = nanos.clone();
    java.util.Arrays.sort(sorted);
    int i = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
    return sorted[Math.max(0, i)] / 1e6;
  }
}
