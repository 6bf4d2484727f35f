package dev.mayfly.runner;

import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The lines a runner prints around each job, so whoever captures its output (a local process's
 * pipe, an attached dyno's stream) can file what a job printed under that job.
 */
public final class OutputMarkers {
  private static final Pattern START =
      Pattern.compile("^job (\\d+) \\(\\S+\\) attempt (\\d+) started$");
  private static final Pattern END =
      Pattern.compile("^job (\\d+) \\(\\S+\\) (attempt \\d+ .* in \\d+ ms|given back).*$");
  private static final Pattern LOGGED = Pattern.compile("^\\[job \\d+\\] ");

  private OutputMarkers() {}

  static String start(long jobId, String type, int attempt) {
    return "job " + jobId + " (" + type + ") attempt " + attempt + " started";
  }

  /** The job and attempt a start line announces. */
  public static OptionalLong startedJob(String line) {
    Matcher m = START.matcher(line);
    return m.matches() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
  }

  public static int startedAttempt(String line) {
    Matcher m = START.matcher(line);
    return m.matches() ? Integer.parseInt(m.group(2)) : 0;
  }

  /** True for a runner's line that ends a job's output. */
  public static boolean isEnd(String line) {
    return END.matcher(line).matches() || line.startsWith("mayfly runner ");
  }

  /** True for a job log line the runner already stored itself. */
  public static boolean isStoredLogLine(String line) {
    return LOGGED.matcher(line).find();
  }
}
