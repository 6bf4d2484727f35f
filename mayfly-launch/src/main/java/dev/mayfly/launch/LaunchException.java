package dev.mayfly.launch;

import org.jspecify.annotations.Nullable;

/**
 * A platform refused or failed to start a runner. The message names the platform, the runner, what
 * was asked and the answer; {@link #atCapacity()} says whether it was only a limit being reached,
 * in which case the jobs simply stay queued until a slot frees; {@link #needsConfiguration()} says
 * that no retry can succeed until a person fixes something (credentials, billing, access), which
 * the message names.
 */
public class LaunchException extends Exception {
  private static final long serialVersionUID = 1L;
  private final boolean atCapacity;
  private final boolean needsConfiguration;

  public LaunchException(String message, boolean atCapacity, @Nullable Throwable cause) {
    this(message, atCapacity, false, cause);
  }

  private LaunchException(
      String message, boolean atCapacity, boolean needsConfiguration, @Nullable Throwable cause) {
    super(message, cause);
    this.atCapacity = atCapacity;
    this.needsConfiguration = needsConfiguration;
  }

  /** The platform refused the launcher's configuration; {@code message} says what to fix. */
  public static LaunchException needsConfiguration(String message, @Nullable Throwable cause) {
    return new LaunchException(message, false, true, cause);
  }

  public LaunchException(String message, @Nullable Throwable cause) {
    this(message, false, cause);
  }

  public boolean atCapacity() {
    return atCapacity;
  }

  public boolean needsConfiguration() {
    return needsConfiguration;
  }
}
