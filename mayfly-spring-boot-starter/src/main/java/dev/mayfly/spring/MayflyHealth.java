package dev.mayfly.spring;

import dev.mayfly.Mayfly;
import dev.mayfly.api.QueueCounts;
import java.util.List;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Up while Mayfly's store answers, with each queue's counts as details. Dead jobs do not make the
 * app unhealthy: they are the app's jobs failing, which the dashboard and the meters show.
 */
final class MayflyHealth extends AbstractHealthIndicator {
  private final Mayfly mayfly;

  MayflyHealth(Mayfly mayfly) {
    super("Mayfly's store cannot be read");
    this.mayfly = mayfly;
  }

  @Override
  protected void doHealthCheck(Health.Builder health) {
    List<QueueCounts> queues = mayfly.admin().queues();
    health.up();
    for (QueueCounts q : queues) {
      health.withDetail(
          "queue " + q.queue(),
          java.util.Map.of(
              "ready", q.queued(),
              "running", q.running(),
              "dead", q.dead(),
              "runnersAlive", q.runnersAlive()));
    }
  }
}
