package dev.mayfly;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mayfly.internal.jobs.Json;
import dev.mayfly.internal.names.QueueNames;
import dev.mayfly.schedule.CronTimes;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * A recurring job: the job type {@code type} with {@code args}, enqueued at each time {@code cron}
 * names in {@code zone}, by whichever dispatcher is running; no clock process (see {@code
 * docs/scheduling.md}). Build one with {@link #of} and the {@code with} methods, or with {@code
 * MayflyConfig.builder().schedule(...)}; checked when made.
 *
 * @param name unique among the schedules: 1 to 63 lower-case letters, digits, '.', '_' or '-'
 * @param cron five Unix fields ({@code minute hour day-of-month month day-of-week}), or six with
 *     seconds first
 * @param type the job type's name ({@code @JobType}), one of the configured jobs
 * @param args the job's arguments, a JSON object
 * @param zone where the cron's wall-clock times are read; UTC unless given
 * @param queue the queue its jobs go to; null for the default queue
 * @param catchUp what fires for times that passed while no dispatcher ran
 * @param overlap whether a time fires while the schedule's previous job is unfinished
 */
public record Schedule(
    String name,
    String cron,
    String type,
    String args,
    ZoneId zone,
    @Nullable String queue,
    CatchUp catchUp,
    Overlap overlap) {

  /** What fires for fire times that passed while no dispatcher ran. */
  public enum CatchUp {
    /** One job, for the most recent missed time (the default). */
    LATEST,
    /** A job for every missed time within a day, oldest first. */
    ALL,
    /** None: only a time reached while a dispatcher runs fires. */
    NONE
  }

  /** Whether a time fires while the schedule's previous job is queued, running or retrying. */
  public enum Overlap {
    /** It does not: the time is recorded as skipped (the default). */
    SKIP,
    /** It does. */
    ALLOW
  }

  /**
   * @throws IllegalArgumentException naming the schedule, the setting and what to change
   */
  public Schedule {
    if (!QueueNames.isValid(name)) {
      throw new IllegalArgumentException("schedule: " + QueueNames.problem(name));
    }
    try {
      if (!CronTimes.parse(cron).everFires()) {
        throw new IllegalArgumentException(
            "cron '"
                + cron
                + "' never fires: no date has its day of month in its month (such as 31"
                + " February); correct the day of month or the month");
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("schedule '" + name + "': " + e.getMessage(), e);
    }
    if (type == null || type.isBlank()) {
      throw new IllegalArgumentException("schedule '" + name + "': name the job type to enqueue");
    }
    args = args == null || args.isBlank() ? "{}" : args.trim();
    JsonNode parsed;
    try {
      parsed = Json.mapper().readTree(args);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "schedule '"
              + name
              + "': args must be a JSON object such as {\"days\": 7}; was '"
              + args
              + "' ("
              + e.getOriginalMessage()
              + ")",
          e);
    }
    if (parsed == null || !parsed.isObject()) {
      throw new IllegalArgumentException(
          "schedule '" + name + "': args must be a JSON object such as {\"days\": 7}; was " + args);
    }
    if (zone == null) {
      throw new IllegalArgumentException("schedule '" + name + "': zone must be given");
    }
    if (queue != null && !QueueNames.isValid(queue)) {
      throw new IllegalArgumentException(
          "schedule '" + name + "': queue " + QueueNames.problem(queue));
    }
    if (catchUp == null || overlap == null) {
      throw new IllegalArgumentException(
          "schedule '" + name + "': catch-up and overlap must be given");
    }
  }

  /** A schedule in UTC, on the default queue, catching up the latest missed time, no overlap. */
  public static Schedule of(String name, String cron, String type, String args) {
    return new Schedule(
        name, cron, type, args, ZoneId.of("UTC"), null, CatchUp.LATEST, Overlap.SKIP);
  }

  public Schedule withZone(ZoneId z) {
    return new Schedule(name, cron, type, args, z, queue, catchUp, overlap);
  }

  public Schedule withQueue(@Nullable String q) {
    return new Schedule(name, cron, type, args, zone, q, catchUp, overlap);
  }

  public Schedule withCatchUp(CatchUp c) {
    return new Schedule(name, cron, type, args, zone, queue, c, overlap);
  }

  public Schedule withOverlap(Overlap o) {
    return new Schedule(name, cron, type, args, zone, queue, catchUp, o);
  }

  /** The settings a configuration file gives a schedule, as {@code schedule.NAME.SETTING}. */
  static final java.util.List<String> SETTINGS =
      java.util.List.of("cron", "type", "args", "zone", "queue", "catch-up", "overlap");

  /**
   * A schedule from a configuration file's {@code schedule.NAME.*} settings, by setting name.
   *
   * @param source named in error messages
   */
  static Schedule fromSettings(String name, java.util.Map<String, String> settings, String source) {
    String prefix = "schedule." + name + ".";
    for (String setting : settings.keySet()) {
      if (!SETTINGS.contains(setting)) {
        throw new IllegalArgumentException(
            source
                + ": unknown setting '"
                + prefix
                + setting
                + "'; a schedule takes "
                + String.join(", ", SETTINGS));
      }
    }
    for (String needed : java.util.List.of("cron", "type")) {
      if (settings.getOrDefault(needed, "").isBlank()) {
        throw new IllegalArgumentException(
            source
                + ": schedule '"
                + name
                + "' needs "
                + prefix
                + needed
                + (needed.equals("cron")
                    ? ", such as 0 3 * * * for 03:00 every day"
                    : ", the name of the job type to enqueue"));
      }
    }
    ZoneId zone = setting(settings, "zone", "UTC", Schedule::zone, prefix, source);
    CatchUp catchUp =
        setting(settings, "catch-up", "latest", v -> choice(CatchUp.class, v), prefix, source);
    Overlap overlap =
        setting(settings, "overlap", "skip", v -> choice(Overlap.class, v), prefix, source);
    String queue = settings.getOrDefault("queue", "");
    try {
      return new Schedule(
          name,
          settings.getOrDefault("cron", ""),
          settings.getOrDefault("type", ""),
          settings.getOrDefault("args", "{}"),
          zone,
          queue.isBlank() ? null : queue.trim(),
          catchUp,
          overlap);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
    }
  }

  /** One setting read with {@code parse}, its errors naming the file and the key. */
  private static <T> T setting(
      java.util.Map<String, String> settings,
      String setting,
      String byDefault,
      java.util.function.Function<String, T> parse,
      String prefix,
      String source) {
    try {
      return parse.apply(settings.getOrDefault(setting, byDefault));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          source + ": " + prefix + setting + ": " + e.getMessage(), e);
    }
  }

  private static ZoneId zone(String value) {
    try {
      return ZoneId.of(value.trim());
    } catch (DateTimeException e) {
      throw new IllegalArgumentException(
          "'" + value + "' is not a time zone; use a region such as Europe/Berlin, or UTC", e);
    }
  }

  private static <E extends Enum<E>> E choice(Class<E> type, String value) {
    try {
      return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      StringBuilder known = new StringBuilder();
      for (E c : type.getEnumConstants()) {
        known.append(known.isEmpty() ? "" : ", ").append(c.name().toLowerCase(Locale.ROOT));
      }
      throw new IllegalArgumentException("'" + value + "' is not one of " + known, e);
    }
  }
}
