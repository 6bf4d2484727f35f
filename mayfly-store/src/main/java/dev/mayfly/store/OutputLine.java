package dev.mayfly.store;

import dev.mayfly.api.LogLine;
import org.jspecify.annotations.Nullable;

/**
 * A line of a runner's output, and the job attempt that printed it: a job's log reads its printed
 * lines from its runners' output, where they are stored once.
 *
 * @param jobId the job that printed it, or null for the runner's own lines
 * @param attempt that job's attempt; 0 for the runner's own lines
 */
public record OutputLine(LogLine line, @Nullable Long jobId, int attempt) {
  /** A line the runner printed about itself, outside any job. */
  public static OutputLine runner(LogLine line) {
    return new OutputLine(line, null, 0);
  }

  /** A line a job's attempt printed. */
  public static OutputLine job(LogLine line, long jobId, int attempt) {
    return new OutputLine(line, jobId, attempt);
  }
}
