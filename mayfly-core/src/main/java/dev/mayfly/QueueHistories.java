package dev.mayfly;

import dev.mayfly.store.Fleet;
import dev.mayfly.store.QueueHistory;
import dev.mayfly.store.StoreStall;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each queue's measured start-up and job duration, as the dispatcher sizes fleets from them: read
 * at most every {@link #TTL}, but every tick while no job duration is known (the first jobs are
 * what the fleet waits to learn), and anew once a runner of the queue has ended.
 */
final class QueueHistories {
  /** How long a queue's measured start-up and job duration are reused before reading them anew. */
  static final Duration TTL = Duration.ofSeconds(5);

  private final Fleet fleet;
  private final StoreStall stall;
  private final Map<String, Measured> read = new ConcurrentHashMap<>();

  private record Measured(QueueHistory history, Instant at) {}

  QueueHistories(Fleet fleet, StoreStall stall) {
    this.fleet = fleet;
    this.stall = stall;
  }

  QueueHistory get(String queue, Instant now) {
    Measured m = read.get(queue);
    if (m == null || m.history.jobDuration() == null || !now.isBefore(m.at.plus(TTL))) {
      m = new Measured(stall.time("history", () -> fleet.history(queue, now)), now);
      read.put(queue, m);
    }
    return m.history;
  }

  /** A runner of {@code queue} ended: its start-up and jobs are history now. */
  void forget(String queue) {
    read.remove(queue);
  }
}
