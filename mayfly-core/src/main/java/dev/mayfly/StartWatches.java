package dev.mayfly;

import dev.mayfly.launch.Launcher;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Launched runners not yet known to have reported in, and when each is next asked after on its
 * platform, counted from its launch ({@link #CHECKS}): a process that died first (a wrong Procfile
 * entry, an image that does not start) is found in seconds, not at the lease's end, at four
 * platform calls at most. After the last, the lease decides.
 */
final class StartWatches {
  static final List<Duration> CHECKS =
      List.of(
          Duration.ofSeconds(2),
          Duration.ofSeconds(4),
          Duration.ofSeconds(8),
          Duration.ofSeconds(16));

  /** A launched runner being watched: where it runs, and how often it was asked after. */
  record Watch(String queue, Launcher launcher, String platformId, Instant launchedAt, int checks) {
    Watch next() {
      return new Watch(queue, launcher, platformId, launchedAt, checks + 1);
    }
  }

  private final InstantSource clock;
  private final Map<String, Watch> watched = new ConcurrentHashMap<>();

  StartWatches(InstantSource clock) {
    this.clock = clock;
  }

  void launched(String runnerId, String queue, Launcher launcher, String platformId) {
    watched.put(runnerId, new Watch(queue, launcher, platformId, clock.instant(), 0));
  }

  /** It reported in, ended, or was given up: no more asking after it. */
  void forget(String runnerId) {
    watched.remove(runnerId);
  }

  /**
   * The runners to ask after at {@code now}, each counted as asked once more; those asked after
   * {@link #CHECKS} times are no longer watched.
   */
  Map<String, Watch> due(Instant now) {
    Map<String, Watch> due = new LinkedHashMap<>();
    for (var e : watched.entrySet()) {
      String runnerId = e.getKey();
      Watch w = e.getValue();
      if (w.checks() >= CHECKS.size()) {
        watched.remove(runnerId); // from here on, the lease decides
      } else if (!now.isBefore(w.launchedAt().plus(CHECKS.get(w.checks())))) {
        watched.put(runnerId, w.next());
        due.put(runnerId, w);
      }
    }
    return due;
  }
}
