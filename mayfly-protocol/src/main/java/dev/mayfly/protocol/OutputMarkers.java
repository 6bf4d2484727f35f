package dev.mayfly.protocol;

import java.time.Instant;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The runner's output format, written and read here only. A runner prints a line when a job starts
 * and one when it ends, so whoever captures its output (a local process's pipe, an attached dyno's
 * stream) can file what a job printed under that job; everything else it says about itself starts
 * with {@code mayfly runner}. The lines, in order:
 *
 * <pre>
 * mayfly runner r-1 started: queue default, no job cap, waits 1000 ms for new work, deadline ...
 * job 7 (send-mail) attempt 1 started
 * ...whatever the job printed...
 * [job 7] INFO a line the job logged through its context (stored by the runner already)
 * job 7 (send-mail) attempt 1 succeeded in 12 ms
 * job 8 (send-mail) given back unstarted
 * mayfly runner: claiming failed, retrying: ...
 * mayfly runner r-1 exiting: IDLE after 1 jobs
 * </pre>
 *
 * <p>With a claim batch, a batch's end lines come after its jobs ran, once their outcomes are
 * recorded: a job's output lasts from its start line to the next start line or its own end line.
 *
 * <p>The dispatcher stores each line once: a job's printed lines tagged with its attempt (the job's
 * log reads them from there), the runner's own lines untagged, and the {@code [job 7]} lines not at
 * all, since the runner stored them in the job's log already.
 *
 * <p>A runner that finds no row of its own in the store it opened says so in a line of its own
 * ({@link #runnerHasNoRow}) instead of its start line: it was given another database than its
 * dispatcher's, which the dispatcher reads back ({@link #storeWithoutTheRunner}) as a configuration
 * error rather than launching again.
 *
 * <p>The runner writes these lines ({@code mayfly-runner}); the dispatcher reads them from what its
 * launcher captured. Both ends use this class, and nothing else knows the format.
 */
public final class OutputMarkers {
  private static final String RUNNER = "mayfly runner";
  private static final Pattern START =
      Pattern.compile("^job (\\d+) \\(.*\\) attempt (\\d+) started$");
  private static final Pattern END =
      Pattern.compile("^job (\\d+) \\(.*\\) (attempt \\d+ .* in \\d+ ms|given back).*$");
  private static final Pattern LOGGED = Pattern.compile("^\\[job \\d+\\] ");
  private static final Pattern NO_ROW =
      Pattern.compile(
          "^mayfly runner \\S+ has no row in the store it opened \\((.*)\\): it opens.*$");

  private OutputMarkers() {}

  public static String runnerStarted(
      String runnerId, String queue, int jobCap, long idleWaitMillis, Instant deadline) {
    return String.format(
        "%s %s started: queue %s, %s, waits %d ms for new work, deadline %s",
        RUNNER,
        runnerId,
        queue,
        jobCap > 0 ? "up to " + jobCap + " jobs" : "no job cap",
        idleWaitMillis,
        deadline);
  }

  /**
   * @param reason why the runner leaves, printed by its name (the runner's own exit reasons)
   */
  public static String runnerExiting(String runnerId, @Nullable Enum<?> reason, int jobsRun) {
    return String.format("%s %s exiting: %s after %d jobs", RUNNER, runnerId, reason, jobsRun);
  }

  /**
   * A runner found no row of its own in the store it opened: it was launched by a dispatcher of
   * another database.
   *
   * @param redactedUrl the database URL the runner opened, without its password: this line is
   *     stored and shown
   */
  public static String runnerHasNoRow(String runnerId, String redactedUrl) {
    return RUNNER
        + " "
        + runnerId
        + " has no row in the store it opened ("
        + redactedUrl
        + "): it opens a different database than the dispatcher that launched it; check the"
        + " runner's DATABASE_URL/MAYFLY_DATABASE_URL";
  }

  /**
   * The store (its URL, redacted) that a runner opened and found no row of its own in, read from
   * its {@link #runnerHasNoRow} line; null for any other line.
   */
  public static @Nullable String storeWithoutTheRunner(String line) {
    Matcher m = NO_ROW.matcher(line);
    return m.matches() ? m.group(1) : null;
  }

  /** Something the runner says about itself: a failure it retries, a step that went wrong. */
  public static String runnerNote(String text) {
    return RUNNER + ": " + text;
  }

  public static String jobStarted(long jobId, String type, int attempt) {
    return "job " + jobId + " (" + type + ") attempt " + attempt + " started";
  }

  /**
   * @param outcome what became of the attempt, as {@code succeeded} or {@code failed: ...}
   */
  public static String jobEnded(long jobId, String type, int attempt, String outcome, long millis) {
    return String.format(
        "job %d (%s) attempt %d %s in %d ms", jobId, type, attempt, outcome, millis);
  }

  public static String jobGivenBackUnstarted(long jobId, String type) {
    return "job " + jobId + " (" + type + ") given back unstarted";
  }

  public static String jobGivenBack(long jobId, String type, String why) {
    return "job " + jobId + " (" + type + ") given back: " + why;
  }

  /** A line a job logged through its context; the runner stores it in the job's log itself. */
  public static String jobLogged(long jobId, String level, String text) {
    return "[job " + jobId + "] " + level.toUpperCase(Locale.ROOT) + " " + text;
  }

  /** A job's attempt, which a line of output belongs to. */
  public record JobAttempt(long jobId, int attempt) {}

  /** Reads a runner's output line by line, and says which job printed each line. */
  public static final class Reader {
    private @Nullable JobAttempt current;

    /**
     * The attempt whose output this line is, or null for the runner's own lines, the start and end
     * markers, and the lines a job logged through its context (stored already).
     */
    public @Nullable JobAttempt owner(String line) {
      Matcher start = START.matcher(line);
      if (start.matches()) {
        current = new JobAttempt(Long.parseLong(start.group(1)), Integer.parseInt(start.group(2)));
        return null;
      }
      if (line.startsWith(RUNNER)) {
        return null;
      }
      Matcher end = END.matcher(line);
      if (end.matches()) {
        if (current != null && Long.parseLong(end.group(1)) == current.jobId()) {
          current = null;
        }
        return null;
      }
      return current == null || LOGGED.matcher(line).find() ? null : current;
    }

    /** The attempt whose output the lines read so far are in, or null between attempts. */
    public @Nullable JobAttempt current() {
      return current;
    }

    /**
     * Whether {@code line}, read last, is one the current attempt logged through its context: the
     * runner stored it in the job's log itself, so it is not stored again from the output.
     */
    public boolean logged(String line) {
      return current != null && line.startsWith("[job " + current.jobId() + "] ");
    }
  }
}
