package dev.mayfly;

import dev.mayfly.store.Fleet;
import dev.mayfly.store.QueueDemand;
import dev.mayfly.store.StoreStall;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Jobs no runner of their queue may take (its time-to-live was lowered after they were enqueued)
 * are not demand: no runner is launched for them. Each says why on its page ({@link
 * JobMaker#unrunnable}), and the log says it once, when their number changes.
 */
final class UnrunnableWork {
  private static final System.Logger LOG = System.getLogger("dev.mayfly.dispatch");

  private final MayflyConfig config;
  private final Fleet fleet;
  private final StoreStall stall;

  /** Queues with ready jobs no runner may take, and how many, as last said. */
  private final Map<String, Long> said = new ConcurrentHashMap<>();

  UnrunnableWork(MayflyConfig config, Fleet fleet, StoreStall stall) {
    this.config = config;
    this.fleet = fleet;
    this.stall = stall;
  }

  /** Says what changed since the last tick's demand: queues gone from it have none any more. */
  void say(List<QueueDemand> demand) {
    said.keySet().stream()
        .filter(q -> demand.stream().noneMatch(d -> d.queue().equals(q)))
        .toList()
        .forEach(q -> say(new QueueDemand(q, 0, 0, 0, 0)));
    demand.forEach(this::say);
  }

  private void say(QueueDemand d) {
    Long before =
        d.unrunnable() == 0 ? said.remove(d.queue()) : said.put(d.queue(), d.unrunnable());
    if (before != null && before == d.unrunnable()) {
      return;
    }
    if (d.unrunnable() == 0) {
      if (before != null) {
        LOG.log(Level.INFO, "queue {0}: no job waits on its time-to-live any more", d.queue());
      }
      return;
    }
    QueueConfig queue = config.queue(d.queue());
    stall.time(
        "markUnrunnable",
        () -> fleet.markUnrunnable(queue.name(), queue.longestJob(), JobMaker.unrunnable(queue)));
    LOG.log(
        Level.WARNING,
        "queue {0}: {1} ready job(s) have a timeout longer than the {2} its runners may take on"
            + " (time-to-live {3}); no runner is launched for them. Raise queue.{0}.time-to-live,"
            + " or cancel them (mayfly jobs --queue {0})",
        queue.name(),
        d.unrunnable(),
        queue.longestJob(),
        queue.timeToLive());
  }
}
