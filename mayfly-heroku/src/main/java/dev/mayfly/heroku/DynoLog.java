package dev.mayfly.heroku;

import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads one dyno's lines out of a log session's stream: Server-Sent Events whose data are log lines
 * as {@code heroku logs} prints them ({@code 2026-12-04T12:00:00.123456+00:00 app[run.1234]:
 * text}). What the dyno printed ({@code app}) goes to the consumer; the platform's lines about it
 * ({@code heroku}) tell its exit status and its end. Not thread-safe: one stream at a time feeds
 * it.
 */
final class DynoLog {
  private static final Pattern LINE = Pattern.compile("^(\\S+) (\\w+)\\[([^\\]]+)\\]: ?(.*)$");
  private static final Pattern EXITED = Pattern.compile("^Process exited with status (\\d+)");
  private static final Pattern ENDED =
      Pattern.compile("^State changed from \\w+ to (complete|crashed|down)");

  private final String dyno;
  private final Consumer<String> output;
  private @Nullable Integer status;
  private boolean ended;
  private @Nullable String lastStamp;
  private @Nullable String skipThrough;
  private final StringBuilder data = new StringBuilder();

  DynoLog(String dyno, Consumer<String> output) {
    this.dyno = dyno;
    this.output = output;
  }

  /**
   * A new stream begins (a new session after the last one broke): it repeats recent lines, and
   * those not newer than the last line read are skipped.
   */
  void newStream() {
    skipThrough = lastStamp;
    data.setLength(0);
  }

  /** One line of the event stream. */
  void line(String line) {
    if (line.isEmpty()) { // an event ends: its data lines are log lines
      data.toString().lines().forEach(this::logLine);
      data.setLength(0);
    } else if (line.startsWith("data:")) {
      String d = line.substring(5);
      data.append(d.startsWith(" ") ? d.substring(1) : d).append('\n');
    } // comments (":"), "id:", "event:" and "retry:" lines say nothing about the dyno
  }

  private void logLine(String text) {
    Matcher m = LINE.matcher(text);
    if (!m.matches() || !m.group(3).equals(dyno)) {
      return;
    }
    String stamp = m.group(1);
    if (skipThrough != null) {
      if (stamp.compareTo(skipThrough) <= 0) {
        return; // read before, from the previous session
      }
      skipThrough = null;
    }
    lastStamp = stamp;
    String message = m.group(4);
    if (m.group(2).equals("app")) {
      output.accept(message);
      return;
    }
    Matcher exited = EXITED.matcher(message);
    if (exited.find()) {
      status = Integer.valueOf(exited.group(1));
    } else if (ENDED.matcher(message).find()) {
      ended = true;
    }
  }

  /** Whether the platform said the dyno ended. */
  boolean ended() {
    return ended;
  }

  /** The exit status the platform logged, if it did. */
  @Nullable Integer status() {
    return status;
  }
}
