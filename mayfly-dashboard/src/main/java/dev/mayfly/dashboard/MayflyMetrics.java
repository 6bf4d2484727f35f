package dev.mayfly.dashboard;

import dev.mayfly.DispatchListener;
import dev.mayfly.Mayfly;
import dev.mayfly.api.QueueCounts;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Mayfly's meters, for any Micrometer registry (the dashboard serves them to Prometheus at {@code
 * /metrics}):
 *
 * <ul>
 *   <li>{@code mayfly.jobs} (gauge; queue, state): jobs by state, across every node;
 *   <li>{@code mayfly.runners.alive} (gauge; queue): runners launching or running;
 *   <li>{@code mayfly.runners.billed} (counter, seconds): runner-seconds billed by runners still in
 *       the store; it drops when old runners are pruned, which Prometheus reads as a reset;
 *   <li>{@code mayfly.launches}, {@code mayfly.launch.failures} (counters; queue, launcher, and
 *       reason for failures): launches by this node's dispatcher;
 *   <li>{@code mayfly.launch.latency} (timer; queue, launcher): how long a launch took (process
 *       spawn, platform API call);
 *   <li>{@code mayfly.schedule.fires} (counter; schedule): fire times this node enqueued a job for
 *       (each fire time is fired by one node only, so the sum over nodes counts each once);
 *   <li>{@code mayfly.schedule.lateness} (timer; schedule): how long after its fire time the job
 *       was enqueued: a tick's interval at most while dispatchers run, more after downtime;
 *   <li>{@code mayfly.schedule.skips} (counter; schedule, reason): fire times this node let pass
 *       without a job, for {@code overlap} (the previous job was unfinished) or {@code missed}
 *       (catch-up none; a whole downtime counts once).
 * </ul>
 *
 * The gauges read the database at most once per {@link #REFRESH}, however often they are scraped.
 */
public final class MayflyMetrics implements MeterBinder, DispatchListener {
  static final Duration REFRESH = Duration.ofSeconds(5);
  private static final List<String> STATES =
      List.of("queued", "scheduled", "running", "succeeded", "failed", "dead", "cancelled");

  private final Mayfly mayfly;
  private volatile @Nullable MeterRegistry registry;
  private final Set<String> queuesSeen = ConcurrentHashMap.newKeySet();
  private volatile Map<String, QueueCounts> counts = Map.of();
  private volatile double billedSeconds;
  private volatile long refreshedAtNanos;
  private volatile boolean refreshedOnce;

  private MayflyMetrics(Mayfly mayfly) {
    this.mayfly = mayfly;
  }

  /** Meters for {@code mayfly}, bound to {@code registry} and told of its dispatcher's launches. */
  public static MayflyMetrics bind(Mayfly mayfly, MeterRegistry registry) {
    MayflyMetrics m = of(mayfly);
    m.bindTo(registry);
    return m;
  }

  /**
   * Meters for {@code mayfly}, told of its dispatcher's launches and schedules, for a framework to
   * bind to its registry (Spring Boot binds every {@link MeterBinder} bean).
   */
  public static MayflyMetrics of(Mayfly mayfly) {
    MayflyMetrics m = new MayflyMetrics(mayfly);
    mayfly.addListener(m);
    return m;
  }

  @Override
  public void bindTo(MeterRegistry r) {
    this.registry = r;
    FunctionCounter.builder("mayfly.runners.billed", this, m -> m.snapshot().billedSeconds)
        .baseUnit("seconds")
        .description("runner-seconds billed by the runners in the store")
        .register(r);
    refresh();
  }

  /**
   * Reads the database now if the last read is older than {@link #REFRESH}, by Mayfly's ticker
   * ({@code MayflyConfig.ticker()}).
   */
  public synchronized void refresh() {
    LongSupplier ticker = mayfly.config().ticker();
    if (refreshedOnce && ticker.getAsLong() - refreshedAtNanos < REFRESH.toNanos()) {
      return;
    }
    Map<String, QueueCounts> byQueue = new ConcurrentHashMap<>();
    mayfly.admin().queues().forEach(q -> byQueue.put(q.queue(), q));
    counts = byQueue;
    billedSeconds = mayfly.admin().billedSeconds();
    refreshedAtNanos = ticker.getAsLong();
    refreshedOnce = true;
    MeterRegistry r = registry;
    if (r != null) {
      for (String q : byQueue.keySet()) {
        if (queuesSeen.add(q)) {
          register(r, q);
        }
      }
    }
  }

  private MayflyMetrics snapshot() {
    refresh();
    return this;
  }

  private void register(MeterRegistry r, String queue) {
    for (String state : STATES) {
      Gauge.builder("mayfly.jobs", this, m -> m.count(queue, state))
          .tag("queue", queue)
          .tag("state", state)
          .description("jobs by state")
          .register(r);
    }
    Gauge.builder("mayfly.runners.alive", this, m -> m.count(queue, "runners"))
        .tag("queue", queue)
        .description("runners launching or running")
        .register(r);
  }

  private double count(String queue, String what) {
    QueueCounts c = snapshot().counts.get(queue);
    if (c == null) {
      return 0;
    }
    return switch (what) {
      case "queued" -> c.queued();
      case "scheduled" -> c.scheduled();
      case "running" -> c.running();
      case "succeeded" -> c.succeeded();
      case "failed" -> c.failed();
      case "dead" -> c.dead();
      case "cancelled" -> c.cancelled();
      default -> c.runnersAlive();
    };
  }

  @Override
  public void launched(String queue, String launcher, Duration took) {
    MeterRegistry r = registry;
    if (r == null) {
      return;
    }
    Counter.builder("mayfly.launches")
        .tag("queue", queue)
        .tag("launcher", launcher)
        .description("runners launched by this node")
        .register(r)
        .increment();
    latency(r, queue, launcher).record(took);
  }

  @Override
  public void launchFailed(String queue, String launcher, boolean atCapacity, Duration took) {
    MeterRegistry r = registry;
    if (r == null) {
      return;
    }
    Counter.builder("mayfly.launch.failures")
        .tag("queue", queue)
        .tag("launcher", launcher)
        .tag("reason", atCapacity ? "at_capacity" : "error")
        .description("launches that failed on this node")
        .register(r)
        .increment();
    latency(r, queue, launcher).record(took);
  }

  @Override
  public void scheduleFired(String schedule, Duration late) {
    MeterRegistry r = registry;
    if (r == null) {
      return;
    }
    Counter.builder("mayfly.schedule.fires")
        .tag("schedule", schedule)
        .description("schedule fire times this node enqueued a job for")
        .register(r)
        .increment();
    Timer.builder("mayfly.schedule.lateness")
        .tag("schedule", schedule)
        .description("how long after its fire time a schedule's job was enqueued")
        .publishPercentiles(0.5, 0.99)
        .register(r)
        .record(late);
  }

  @Override
  public void scheduleSkipped(String schedule, String reason) {
    MeterRegistry r = registry;
    if (r == null) {
      return;
    }
    Counter.builder("mayfly.schedule.skips")
        .tag("schedule", schedule)
        .tag("reason", reason)
        .description("schedule fire times this node let pass without a job")
        .register(r)
        .increment();
  }

  private static Timer latency(MeterRegistry r, String queue, String launcher) {
    return Timer.builder("mayfly.launch.latency")
        .tag("queue", queue)
        .tag("launcher", launcher)
        .description("how long launching a runner took")
        .publishPercentiles(0.5, 0.99)
        .register(r);
  }
}
