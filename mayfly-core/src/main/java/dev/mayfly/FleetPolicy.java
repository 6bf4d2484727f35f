package dev.mayfly;

import dev.mayfly.store.QueueDemand;
import dev.mayfly.store.QueueHistory;
import java.time.Duration;

/**
 * How many runners a queue needs and how long an idle one should wait: the arithmetic that lets
 * one-off runners bill little more than their busy seconds. The reasoning, with its formulas, is in
 * docs/architecture.md ("Sizing the fleet").
 *
 * <p>Launching: no ready job should wait longer than a new runner would take to start, {@code s},
 * plus the queue's target wait {@code T}: the horizon {@code H = s + T}. Given the measured job
 * duration {@code d}, each runner alive can start some of the ready jobs within {@code H}: an idle
 * runner one now and one every {@code d} after, a busy one from when its job ends (about {@code
 * d/2} from now), a new or launching one from {@code s} on, so {@code 1 + ⌊T/d⌋}. The queue gets
 * new runners for the ready jobs the alive ones cannot start in time, within its cap. Measuring the
 * horizon from {@code s} keeps a slow start (a CPU-bound machine, a dyno booting) from asking for
 * ever more runners, which would only make every start slower. Before any job of the queue has
 * finished, {@code d} is unknown: one runner is launched, and while its first job runs, the time it
 * has run so far stands in for {@code d}, a lower bound that grows until the job ends. Short jobs
 * then never get a crowd of runners starting at once for a first burst (on a small machine they
 * only slow each other's start), and long ones get their runners within about {@code T} of the
 * first start.
 *
 * <p>Waiting: an idle runner waits about as long as a runner of its queue takes to start (the
 * ski-rental rule: never more than twice the cost of the best choice made in hindsight), within the
 * queue's bounds. That a runner leaves at once when others can take what comes is the store's
 * {@code retireIfSurplus}.
 */
final class FleetPolicy {
  /** What start-up is taken to be before a runner of the queue has started. */
  static final Duration STARTUP_PRIOR = Duration.ofSeconds(1);

  private FleetPolicy() {}

  /** Runners to launch now, so that alive ones never exceed {@code cap}. */
  static int toLaunch(QueueDemand demand, QueueHistory history, Duration targetWait, int cap) {
    long room = cap - (long) demand.runnersAlive();
    if (demand.ready() == 0 || room <= 0) {
      return 0;
    }
    // Before any attempt of the queue has ended, the oldest one running gives a lower bound on
    // the job duration, growing for as long as it runs: sizing from it, one runner finds out
    // what jobs take, and more follow as soon as they turn out to be long.
    Duration measured =
        history.jobDuration() != null ? history.jobDuration() : history.runningFor();
    if (measured == null) {
      return demand.runnersAlive() == 0 ? 1 : 0;
    }
    double d = Math.max(1, measured.toMillis());
    double t = targetWait.toMillis();
    double h = startup(history).toMillis() + t;
    long perIdle = 1 + (long) Math.floor(h / d);
    long perBusy = h >= d / 2 ? 1 + (long) Math.floor((h - d / 2) / d) : 0;
    long perNew = 1 + (long) Math.floor(t / d);
    long capacity =
        demand.runnersIdle() * perIdle
            + demand.runnersBusy() * perBusy
            + demand.runnersLaunching() * perNew;
    long uncovered = demand.ready() - capacity;
    if (uncovered <= 0) {
      return 0;
    }
    long needed = (uncovered + perNew - 1) / perNew;
    return (int) Math.min(needed, room);
  }

  /** How long a new runner of this queue waits for work once the queue is empty. */
  static Duration idleBudget(QueueHistory history, QueueConfig queue) {
    Duration s = startup(history);
    if (s.compareTo(queue.idleMin()) < 0) {
      return queue.idleMin();
    }
    return s.compareTo(queue.idleMax()) > 0 ? queue.idleMax() : s;
  }

  private static Duration startup(QueueHistory history) {
    return history.startup() != null ? history.startup() : STARTUP_PRIOR;
  }
}
