package dev.mayfly.launch;

/**
 * A platform refused or failed to start a runner. The message names the platform, the runner, what
 * was asked and the answer; {@link #atCapacity()} says whether it was only a limit being reached,
 * in which case the jobs simply stay queued until a slot frees.
 */
public class LaunchException extends Exception {
  private static final long serialVersionUID = 1L;
  private final boolean atCapacity;

  public LaunchException(String message, boolean atCapacity, Throwable cause) {
    super(message, cause);
    this.atCapacity = atCapacity;
  }

  public LaunchException(String message, Throwable cause) {
    this(message, false, cause);
  }

  public boolean atCapacity() {
    return atCapacity;
  }
}
