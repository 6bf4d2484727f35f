package dev.mayfly.store;

/**
 * A job was not retried: a live job holds its unique key. Nothing was changed; the job can go back
 * to the queue once the holder finishes (or is cancelled).
 */
public final class KeyHeldException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  private final transient KeyHeld held;

  public KeyHeldException(KeyHeld held) {
    super(
        "job "
            + held.jobId()
            + " was not retried: "
            + held.reason()
            + " (one unfinished job per key); retry it once job "
            + held.holder()
            + " has finished, or cancel job "
            + held.holder()
            + " first");
    this.held = held;
  }

  public KeyHeld held() {
    return held;
  }
}
