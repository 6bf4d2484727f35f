package dev.mayfly.protocol;

/**
 * What a runner process's exit code says. Launchers report it ({@code RunnerExit.exitCode}); the
 * dispatcher reads {@link #WRONG_STORE} as a configuration error rather than a crash to retry.
 */
public final class RunnerExitCodes {
  /** A normal end: idle, job cap, time-to-live, stop requested. */
  public static final int DONE = 0;

  /** The runner failed: its store could not be opened, or failed while it ran. */
  public static final int FAILED = 1;

  /** The environment is wrong: a variable missing or unreadable, a job class not found. */
  public static final int BAD_ENVIRONMENT = 2;

  /** A job ignored its timeout and would not stop; the process ended to get rid of it. */
  public static final int STUCK_JOB = 3;

  /**
   * The store the runner opened has no row for it: its database URL is not its dispatcher's. It
   * also says so in its output ({@link OutputMarkers#storeWithoutTheRunner}).
   */
  public static final int WRONG_STORE = 4;

  private RunnerExitCodes() {}
}
