package dev.mayfly.store;

import dev.mayfly.api.RunnerInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** What stored runner history says about concurrency. */
public final class RunnerHistory {
  private RunnerHistory() {}

  /**
   * The most runners alive at one moment, sweeping launch and exit times; an exit at the same
   * instant as a launch frees its slot first (the launch was decided after the exit was stored).
   */
  public static int maxAliveAtOnce(List<RunnerInfo> runners) {
    return maxAtOnce(runners, RunnerInfo::launchedAt);
  }

  /**
   * The most runners whose processes were up at once: from reporting in to exit. What a platform's
   * own limit holds, where the slots reserved for launches (which {@link #maxAliveAtOnce} counts)
   * may be more until Mayfly learns that limit.
   */
  public static int maxRunningAtOnce(List<RunnerInfo> runners) {
    return maxAtOnce(
        runners.stream().filter(r -> r.startedAt() != null).toList(), RunnerInfo::startedAt);
  }

  private static int maxAtOnce(
      List<RunnerInfo> runners, java.util.function.Function<RunnerInfo, Instant> from) {
    record Event(Instant at, int delta) {}
    List<Event> events = new ArrayList<>();
    for (RunnerInfo r : runners) {
      events.add(new Event(from.apply(r), +1));
      events.add(new Event(r.exitedAt() == null ? Instant.MAX : r.exitedAt(), -1));
    }
    events.sort(Comparator.comparing(Event::at).thenComparingInt(Event::delta));
    int alive = 0;
    int max = 0;
    for (Event e : events) {
      alive += e.delta();
      max = Math.max(max, alive);
    }
    return max;
  }
}
