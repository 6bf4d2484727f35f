package dev.mayfly;

import dev.mayfly.protocol.HeadAndTail;
import dev.mayfly.protocol.LineCap;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How much of what runners print, and of what jobs log, is kept. A line longer than {@code maxLine}
 * keeps its head and ends with {@code ... [truncated N bytes]}. An attempt's printed lines, its
 * {@code ctx.log()} lines (a budget of their own), and a runner's own lines keep their head and
 * their tail within their budget: the first half as they come, the latest lines in the other half,
 * and between them one line {@code ... truncated N lines (M bytes) ...}, stored when the attempt or
 * the runner ends. A line counts its UTF-8 bytes, and at least 100 (what its row costs the database
 * besides its text), so a budget of 1 MiB holds about 10,000 short lines. The dispatcher holds no
 * more than the tails and a batch in memory per runner, however much a runner prints.
 *
 * @param maxLine the longest line kept whole, in UTF-8 bytes ({@code output.max-line}, default 16
 *     KiB)
 * @param maxAttempt what one attempt of a job keeps of what it printed, and as much of what it
 *     logged through its context, in bytes ({@code output.max-attempt}, default 1 MiB)
 * @param maxRunner what a runner keeps of the lines it printed outside its jobs' attempts (its
 *     start and end lines, what its own threads printed), in bytes ({@code output.max-runner},
 *     default 1 MiB)
 */
public record OutputLimits(int maxLine, long maxAttempt, long maxRunner) {
  static final List<String> SETTINGS =
      List.of("output.max-line", "output.max-attempt", "output.max-runner");

  private static final int MIN_LINE = LineCap.MIN;
  private static final Pattern SIZE =
      Pattern.compile("(\\d+)\\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?", Pattern.CASE_INSENSITIVE);

  /**
   * @throws IllegalArgumentException naming the limit and what to change
   */
  public OutputLimits {
    if (maxLine < MIN_LINE) {
      throw new IllegalArgumentException(
          "output.max-line must be at least " + MIN_LINE + " bytes, was " + maxLine);
    }
    budget("output.max-attempt", maxAttempt, maxLine);
    budget("output.max-runner", maxRunner, maxLine);
  }

  /** 16 KiB a line, 1 MiB an attempt and a runner's own lines. */
  public static OutputLimits defaults() {
    return new OutputLimits(LineCap.DEFAULT, HeadAndTail.DEFAULT, HeadAndTail.DEFAULT);
  }

  public OutputLimits maxLine(int bytes) {
    return new OutputLimits(bytes, maxAttempt, maxRunner);
  }

  public OutputLimits maxAttempt(long bytes) {
    return new OutputLimits(maxLine, bytes, maxRunner);
  }

  public OutputLimits maxRunner(long bytes) {
    return new OutputLimits(maxLine, maxAttempt, bytes);
  }

  @Override
  public String toString() {
    return "output: lines "
        + maxLine
        + " B, an attempt "
        + maxAttempt
        + " B, a runner's own "
        + maxRunner
        + " B";
  }

  private static void budget(String name, long bytes, int maxLine) {
    if (bytes < 4L * maxLine) {
      throw new IllegalArgumentException(
          name
              + " ("
              + bytes
              + " bytes) must hold at least 4 lines of output.max-line ("
              + maxLine
              + " bytes): 2 for its head, 2 for its tail; raise it or lower output.max-line");
    }
  }

  /** These limits with {@link #SETTINGS} from a configuration file applied, checked together. */
  OutputLimits with(java.util.Map<String, String> settings, String source) {
    long line = maxLine;
    long attempt = maxAttempt;
    long runner = maxRunner;
    for (var e : settings.entrySet()) {
      long bytes = bytes(e.getValue(), source, e.getKey());
      switch (e.getKey()) {
        case "output.max-line" -> line = bytes;
        case "output.max-attempt" -> attempt = bytes;
        case "output.max-runner" -> runner = bytes;
        default -> throw new IllegalArgumentException(source + ": unknown setting " + e.getKey());
      }
    }
    if (line > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(source + ": output.max-line must be under 2 GiB");
    }
    try {
      return new OutputLimits((int) line, attempt, runner);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
    }
  }

  /** {@code 16384}, {@code 16KiB} or {@code 16k}, {@code 1MiB} or {@code 1m}: binary multiples. */
  static long bytes(String value, String source, String key) {
    Matcher m = SIZE.matcher(value.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          source
              + ": "
              + key
              + " must be a size such as 16384, 16KiB or 1MiB; was '"
              + value
              + "'");
    }
    String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
    int shift =
        switch (unit.charAt(0)) {
          case 'k' -> 10;
          case 'm' -> 20;
          case 'g' -> 30;
          default -> 0;
        };
    try {
      return Math.multiplyExact(Long.parseLong(m.group(1)), 1L << shift);
    } catch (ArithmeticException | NumberFormatException e) {
      throw new IllegalArgumentException(source + ": " + key + " is too large: '" + value + "'", e);
    }
  }
}
