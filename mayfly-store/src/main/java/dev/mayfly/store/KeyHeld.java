package dev.mayfly.store;

/**
 * A job that cannot go back to the queue now: at most one job per unique key may be unfinished
 * (queued, running or failed and waiting to retry), and {@code holder} is that job.
 *
 * @param jobId the job that stays where it is
 * @param uniqueKey the key the two jobs share
 * @param holder the live job that holds the key
 */
public record KeyHeld(long jobId, String uniqueKey, long holder) {

  /** Why the job was not retried, as people read it. */
  public String reason() {
    return "a live job " + holder + " holds unique key '" + uniqueKey + "'";
  }
}
