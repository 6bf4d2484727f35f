package dev.mayfly.schedule;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Which fire times of a schedule are due now, and which of them to fire: the catch-up policy as
 * arithmetic on instants, apart from the store and the clock, so it is tested with times alone.
 *
 * <p>A schedule's times are due from the later of when it was first stored ({@code since}) and the
 * last time handled ({@code last}, fired or skipped), up to {@code now}: a schedule never fires for
 * times before it existed.
 */
public final class Due {
  /** {@code catch-up all} fires missed times of at most this long ago; older ones are skipped. */
  public static final Duration ALL_WINDOW = Duration.ofDays(1);

  /** {@code catch-up all} fires at most this many missed times at once, the latest ones. */
  public static final int ALL_MAX = 1_000;

  /** What {@code catch-up} says to do with times that passed while no dispatcher ran. */
  public enum CatchUp {
    LATEST,
    ALL,
    NONE
  }

  /**
   * The times due, oldest first, each to fire or to skip; empty when none is.
   *
   * @param grace how late a time may be handled and still count as on time (for {@code none}): a
   *     dispatcher's tick or so
   */
  public static List<Time> times(
      CronTimes cron,
      ZoneId zone,
      Instant since,
      @Nullable Instant last,
      Instant now,
      CatchUp catchUp,
      Duration grace) {
    Instant from = last != null && last.isAfter(since) ? last : since;
    Optional<Instant> latest = cron.previous(now, zone).filter(t -> t.isAfter(from));
    if (latest.isEmpty()) {
      return List.of();
    }
    return switch (catchUp) {
      case LATEST -> List.of(new Time(latest.get(), true));
      case NONE -> List.of(new Time(latest.get(), !latest.get().isBefore(now.minus(grace))));
      case ALL -> {
        Instant windowStart = now.minus(ALL_WINDOW);
        List<Instant> missed = new ArrayList<>();
        Instant t = from.isAfter(windowStart) ? from : windowStart;
        while (true) {
          Optional<Instant> next = cron.next(t, zone);
          if (next.isEmpty() || next.get().isAfter(now)) {
            break;
          }
          missed.add(next.get());
          if (missed.size() > ALL_MAX) {
            missed.removeFirst();
          }
          t = next.get();
        }
        List<Time> due = new ArrayList<>();
        missed.forEach(m -> due.add(new Time(m, true)));
        yield due;
      }
    };
  }

  /** A fire time, and whether to fire it (else it is recorded as skipped). */
  public record Time(Instant at, boolean fire) {}

  private Due() {}
}
