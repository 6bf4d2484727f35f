package dev.mayfly.runner;

import dev.mayfly.protocol.OutputMarkers;
import dev.mayfly.protocol.RunnerExitCodes;

/** Why a runner's loop ended ({@link Runner#run}); {@link RunnerMain} makes it the exit code. */
public enum ExitReason {
  IDLE,
  /** The queue was empty and other runners of it will take what comes. */
  SCALED_IN,
  /**
   * The queue was empty and its rhythm says no job is likely within the idle wait: waiting would
   * cost more than a new runner's start later.
   */
  NO_WORK_EXPECTED,
  JOB_LIMIT,
  TIME_TO_LIVE,
  STOPPED,
  /** A job ignored its timeout; the process must end to get rid of it. */
  STUCK_JOB,
  /**
   * Another process already runs as this runner, or its launch was given up: this one left at once
   * without claiming, and without recording anything on the runner it is not.
   */
  NOT_THE_RUNNER,
  /**
   * The store this runner opened has no row for it at all: it opens another database than the
   * dispatcher that launched it (a platform's DATABASE_URL differs from the dispatcher's). It left
   * at once, saying so ({@link OutputMarkers#runnerHasNoRow}); the process exits with {@link
   * RunnerExitCodes#WRONG_STORE}, which the dispatcher takes for a configuration error.
   */
  WRONG_STORE
}
