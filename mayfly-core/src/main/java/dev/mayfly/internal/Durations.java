package dev.mayfly.internal;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as people write them in configuration and on the command line. */
public final class Durations {
  private static final Pattern SHORT = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

  private Durations() {}

  /**
   * Parses {@code 500ms}, {@code 2s}, {@code 10m}, {@code 1h}, {@code 1d} or ISO-8601 ({@code
   * PT2S}); negative durations are refused.
   */
  public static Duration parse(String value) {
    String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
    Matcher m = SHORT.matcher(v);
    if (m.matches()) {
      try {
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          default -> Duration.ofDays(n);
        };
      } catch (NumberFormatException | ArithmeticException e) {
        throw new TooLong("'" + value + "' is too long a duration", e);
      }
    }
    if (v.startsWith("-")) {
      throw new IllegalArgumentException("a duration must not be negative, was '" + value + "'");
    }
    try {
      Duration d = Duration.parse(v.toUpperCase(Locale.ROOT));
      if (d.isNegative()) {
        throw new IllegalArgumentException("a duration must not be negative, was '" + value + "'");
      }
      return d;
    } catch (java.time.format.DateTimeParseException e) {
      throw new IllegalArgumentException(
          "'" + value + "' is not a duration; write it like 500ms, 30s, 5m, 2h or 1d", e);
    }
  }

  /** The longest delay or look-back a command line or an API request may give: ten years. */
  public static final Duration LONGEST = Duration.ofDays(3650);

  /**
   * {@link #parse} for the option or parameter {@code name}, which takes from zero to {@code max}.
   *
   * @throws IllegalArgumentException naming {@code name}, what is wrong and, for a value too long,
   *     the accepted range
   */
  public static Duration parse(String value, String name, Duration max) {
    Duration d;
    try {
      d = parse(value);
    } catch (TooLong e) {
      d = max.plusNanos(1);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
    }
    if (d.compareTo(max) > 0) {
      throw new IllegalArgumentException(
          name + " must be from 0 to " + max.toDays() + "d, was '" + value + "'");
    }
    return d;
  }

  /** A duration written in more units than a {@link Duration} holds. */
  private static final class TooLong extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    TooLong(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Short human form: 850ms, 12.3s, 4m05s. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms < 1000) {
      return ms + "ms";
    }
    if (ms < 60_000) {
      return String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
    }
    return String.format(Locale.ROOT, "%dm%02ds", ms / 60_000, (ms / 1000) % 60);
  }
}
