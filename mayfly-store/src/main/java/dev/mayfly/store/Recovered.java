package dev.mayfly.store;

/** What one {@link JobStore#recover} pass did. */
public record Recovered(int jobsRequeued, int runnersLost) {
  public boolean any() {
    return jobsRequeued > 0 || runnersLost > 0;
  }
}
