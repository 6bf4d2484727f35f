package dev.mayfly.schedule;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.zone.ZoneOffsetTransition;
import java.util.Optional;

/**
 * When a cron expression fires, in a zone: Unix's five fields ({@code minute hour day-of-month
 * month day-of-week}), or six with seconds first for fine schedules, parsed by cron-utils.
 *
 * <p>Times are wall-clock times of the zone, so a daily 02:30 stays 02:30 across daylight saving. A
 * time the clocks skip (spring forward) fires once, as soon as the clocks have passed it; a time
 * the clocks show twice (fall back) fires once, at its first occurrence. A schedule finer than the
 * repeated hour (every 15 minutes, hourly) fires in both passes of it, as the instants are
 * distinct.
 */
public final class CronTimes {
  private static final CronParser UNIX =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
  private static final CronParser WITH_SECONDS =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.SPRING));

  private final String expression;
  private final ExecutionTime times;

  private CronTimes(String expression, ExecutionTime times) {
    this.expression = expression;
    this.times = times;
  }

  /**
   * Parses {@code expression}.
   *
   * @throws IllegalArgumentException naming what is wrong with it and what is expected
   */
  public static CronTimes parse(String expression) {
    String e = expression == null ? "" : expression.trim();
    int fields = e.isEmpty() ? 0 : e.split("\\s+").length;
    if (fields != 5 && fields != 6) {
      throw new IllegalArgumentException(
          "cron '"
              + expression
              + "' has "
              + fields
              + " field(s); use five (minute hour day-of-month month day-of-week, as '0 3 * * *'"
              + " for 03:00 every day) or six with seconds first ('*/10 * * * * *')");
    }
    try {
      Cron cron = (fields == 5 ? UNIX : WITH_SECONDS).parse(e);
      cron.validate();
      return new CronTimes(e, ExecutionTime.forCron(cron));
    } catch (IllegalArgumentException ex) {
      throw new IllegalArgumentException(
          "cron '" + expression + "' is not valid: " + ex.getMessage(), ex);
    }
  }

  public String expression() {
    return expression;
  }

  /**
   * Whether it fires at all: {@code 0 0 31 2 *} (31 February) never does, while {@code 0 0 29 2 *}
   * fires every leap year. cron-utils searches the calendar for a matching date and finds none for
   * a date that does not exist.
   */
  public boolean everFires() {
    return times
        .nextExecution(ZonedDateTime.of(2000, 1, 1, 0, 0, 0, 0, ZoneId.of("UTC")))
        .isPresent();
  }

  /** The first fire time strictly after {@code after}, in {@code zone}; empty if none ever. */
  public Optional<Instant> next(Instant after, ZoneId zone) {
    Optional<ZonedDateTime> found = times.nextExecution(after.atZone(zone));
    while (found.isPresent() && !found.get().toInstant().isAfter(after)) {
      // a fall-back hour seen twice: the library may answer the same wall time again
      found = times.nextExecution(found.get().plusSeconds(1));
    }
    Optional<Instant> next = found.map(ZonedDateTime::toInstant);
    // cron-utils skips a wall time the clocks jump over; cron runs it as they pass it
    ZoneOffsetTransition t = zone.getRules().nextTransition(after);
    while (t != null && (next.isEmpty() || t.getInstant().isBefore(next.get()))) {
      if (t.isGap() && skipsAFireTime(t)) {
        return Optional.of(t.getInstant());
      }
      t = zone.getRules().nextTransition(t.getInstant());
    }
    return next;
  }

  /**
   * The latest fire time at or before {@code atOrBefore}, in {@code zone}, as {@link #next} would
   * have given it (daylight saving included); empty if none ever was.
   */
  public Optional<Instant> previous(Instant atOrBefore, ZoneId zone) {
    Optional<ZonedDateTime> last = times.lastExecution(atOrBefore.plusNanos(1).atZone(zone));
    if (last.isEmpty()) {
      return Optional.empty();
    }
    // Step forward with next() from two fire times back (and an hour more, for a clock change),
    // so this agrees with next() wherever daylight saving moves or repeats a time.
    Instant start =
        times
            .lastExecution(last.get())
            .map(ZonedDateTime::toInstant)
            .orElse(last.get().toInstant().minus(java.time.Duration.ofDays(1)))
            .minus(java.time.Duration.ofHours(1));
    Optional<Instant> found = Optional.empty();
    for (Optional<Instant> t = next(start, zone);
        t.isPresent() && !t.get().isAfter(atOrBefore);
        t = next(t.get(), zone)) {
      found = t;
    }
    return found;
  }

  /** Whether a wall time this schedule fires at lies in the hour (or so) a transition skips. */
  private boolean skipsAFireTime(ZoneOffsetTransition gap) {
    // In the offset from before the jump the skipped wall times exist, so the library finds them.
    ZonedDateTime gapStart =
        gap.getDateTimeBefore().atOffset(gap.getOffsetBefore()).toZonedDateTime();
    return times
        .nextExecution(gapStart.minusNanos(1))
        .filter(t -> t.toLocalDateTime().isBefore(gap.getDateTimeAfter()))
        .isPresent();
  }

  @Override
  public String toString() {
    return expression;
  }
}
