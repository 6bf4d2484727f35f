package dev.mayfly;

import dev.mayfly.api.RunnerState;
import dev.mayfly.internal.jobs.JobTypes;
import dev.mayfly.launch.LaunchException;
import dev.mayfly.launch.LaunchRequest;
import dev.mayfly.launch.Launcher;
import dev.mayfly.launch.RunnerExit;
import dev.mayfly.launch.RunnerHandle;
import dev.mayfly.protocol.RunnerEnvironment;
import dev.mayfly.protocol.RunnerSettings;
import dev.mayfly.store.Fleet;
import dev.mayfly.store.JobStore;
import dev.mayfly.store.NewRunner;
import dev.mayfly.store.QueueDemand;
import dev.mayfly.store.QueueHistory;
import dev.mayfly.store.ReadModel;
import dev.mayfly.store.Recovered;
import dev.mayfly.store.StoreStall;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Launches runners when there is work, inside the app (or {@code mayfly serve}): there is no
 * always-on worker.
 *
 * <p>Each tick, for every queue with ready jobs, it sizes the queue's fleet from the backlog (see
 * {@link FleetPolicy}): as many runners as it takes to start the ready jobs within the queue's
 * target wait, judged from the queue's measured job duration and start-up, never more than {@code
 * maxRunners} or the platform's capacity. The count of alive runners comes from the store and slots
 * are reserved there atomically, up to the fleet size this tick decided on, so several dispatchers
 * on one database launch the difference once between them and never exceed {@code maxRunners}
 * together. The dispatcher itself holds no state another node would need: killing it loses nothing.
 *
 * <p>A tick also runs crash recovery (expired leases, silent runners), prunes jobs finished longer
 * ago than the retention period (hourly) and flushes captured runner output. Ticks come every
 * {@code tick}, or sooner when an enqueue (in this process, or in any other where the store can
 * announce it), or a runner's exit wakes it.
 */
final class Dispatcher implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger("dev.mayfly.dispatch");
  private static final Duration PRUNE_EVERY = Duration.ofHours(1);

  private final MayflyConfig config;
  private final JobStore store;
  private final Fleet fleet;
  private final ReadModel reads;
  private final StoreStall stall; // says when a store call took seconds
  private final JobTypes types;
  private final Function<QueueConfig, Launcher> launchers;
  private final Semaphore wakeups = new Semaphore(0);
  private final Map<String, RunnerOutputBuffer> outputs = new ConcurrentHashMap<>();
  private final LaunchPauses pauses;
  private final QueueHistories histories;
  private final UnrunnableWork unrunnable;
  private final LaunchTroubles troubles;

  /** Launched runners not yet known to have reported in, asked after on their platform. */
  private final StartWatches starting;

  private volatile boolean running;

  /** Set once closing is done waiting: exits seen later are the runners' own to record. */
  private volatile boolean closed;

  /**
   * The runners launched here whose end the launcher has not yet told, each with what completes
   * once that end is recorded.
   */
  private final Map<String, java.util.concurrent.CompletableFuture<?>> ending =
      new ConcurrentHashMap<>();

  /** Launches under way; closing waits for them, so none is cut off half-recorded. */
  private final java.util.Set<Thread> launching = ConcurrentHashMap.newKeySet();

  private @Nullable Thread thread;
  private Instant lastRecovery = Instant.EPOCH;
  private @Nullable String lastFailure;
  private Instant lastPrune = Instant.EPOCH;
  private AutoCloseable listening = () -> {};

  private final Iterable<DispatchListener> listeners;
  private final Scheduler scheduler;
  private Instant lastSchedulePass = Instant.EPOCH;

  /** How often due schedules are looked for: a fire time is at most this late, plus a tick. */
  private static final Duration SCHEDULE_EVERY = Duration.ofSeconds(1);

  private static final Duration LAUNCH_WAIT_ON_CLOSE = Duration.ofSeconds(15);

  /**
   * How long closing waits for runners that have ended to be seen ending: their last output read (a
   * pod's log, a dyno's log session) and their platform's resources released (a Job deleted).
   */
  private static final Duration ENDED_WAIT_ON_CLOSE = Duration.ofSeconds(10);

  Dispatcher(
      MayflyConfig config,
      JobStore store,
      JobTypes types,
      Function<QueueConfig, Launcher> launchers,
      Iterable<DispatchListener> listeners) {
    this.config = config;
    this.store = store;
    this.fleet = store.fleet();
    this.reads = store.reads();
    // Every store call of the dispatcher's is timed: a database stall is said in the log.
    this.stall = new StoreStall(config.ticker(), m -> LOG.log(Level.WARNING, m));
    this.types = types;
    this.pauses = new LaunchPauses(config.clock());
    this.histories = new QueueHistories(fleet, stall);
    this.unrunnable = new UnrunnableWork(config, fleet, stall);
    this.starting = new StartWatches(config.clock());
    this.troubles = new LaunchTroubles(config, reads, stall, pauses, this::tell);
    this.launchers = launchers;
    this.listeners = listeners;
    this.scheduler = new Scheduler(config, store.schedules(), types, this::tell);
  }

  synchronized void start() {
    if (running) {
      return;
    }
    running = true;
    if (!config.schedules().isEmpty()) {
      // A node that declares no schedules leaves the stored ones to the nodes that do.
      scheduler.define();
    }
    listening = stall.time("listen", () -> store.listen(queue -> wake()));
    thread = Thread.ofPlatform().daemon().name("mayfly-dispatcher").start(this::loop);
  }

  /**
   * One pass without a thread of its own, then closes: stores the schedules, fires the due ones,
   * recovers, launches, and waits for the launches to be recorded. Returns the jobs fired.
   */
  int runOnce() {
    running = true;
    int fired = 0;
    try {
      if (!config.schedules().isEmpty()) {
        scheduler.define();
        Instant now = config.clock().instant();
        fired = scheduler.fireDue(now);
        lastSchedulePass = now; // the tick below need not look again
      }
      tick();
      awaitLaunches(LAUNCH_WAIT_ON_CLOSE);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      close();
    }
    return fired;
  }

  /** Makes the next tick happen now (after an enqueue, or a runner's exit). */
  void wake() {
    if (wakeups.availablePermits() == 0) {
      wakeups.release();
    }
  }

  private void loop() {
    while (running) {
      try {
        tick();
        lastFailure = null;
      } catch (RuntimeException | Error e) {
        // The store may be briefly unavailable; the next tick tries again. Never let this die,
        // and say so once per failure, not once per tick.
        String failure = String.valueOf(e);
        if (!failure.equals(lastFailure)) {
          LOG.log(
              Level.WARNING,
              "dispatcher tick failed; retrying every " + config.tick() + " until it works",
              e);
          lastFailure = failure;
        }
      }
      try {
        wakeups.tryAcquire(config.tick().toMillis(), TimeUnit.MILLISECONDS);
        wakeups.drainPermits();
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** One round: recover, fire due schedules, flush output, launch what the ready work needs. */
  void tick() {
    Instant now = config.clock().instant();
    if (Duration.between(lastRecovery, now).compareTo(config.heartbeatInterval()) >= 0) {
      lastRecovery = now;
      Recovered r =
          stall.time(
              "recover",
              () ->
                  fleet.recover(
                      now, now.minus(config.leaseTimeout()), now.minus(config.launchTimeout())));
      if (r.any()) {
        LOG.log(
            Level.WARNING,
            "recovered from crashes: {0} job(s) back in the queue, {1} runner(s) declared lost",
            r.jobsRequeued(),
            r.runnersLost());
      }
      stopLost(r.lost());
    }
    watchStarts(now);
    if (!config.schedules().isEmpty()
        && Duration.between(lastSchedulePass, now).compareTo(SCHEDULE_EVERY) >= 0) {
      lastSchedulePass = now;
      scheduler.fireDue(now); // its jobs are ready now: the demand read below sees them
    }
    if (Duration.between(lastPrune, now).compareTo(PRUNE_EVERY) >= 0) {
      lastPrune = now;
      int pruned = stall.time("prune", () -> fleet.prune(now.minus(config.retention())));
      if (pruned > 0) {
        LOG.log(
            Level.INFO, "pruned {0} job(s) finished more than {1} ago", pruned, config.retention());
      }
    }
    outputs.values().forEach(RunnerOutputBuffer::flush);
    List<QueueDemand> demand =
        stall.time("demand", () -> fleet.demand(now, q -> config.queue(q).longestJob().toMillis()));
    unrunnable.say(demand);
    for (QueueDemand d : demand) {
      if (d.ready() == 0) {
        continue;
      }
      QueueConfig queue = config.queue(d.queue());
      Launcher launcher = launchers.apply(queue);
      // The platform's own limit, once known, caps the queue below its configured maximum.
      int cap =
          Math.max(
              1,
              Math.min(
                  queue.maxRunners(), launcher.capacity(queue.size()).orElse(Integer.MAX_VALUE)));
      QueueHistory history = histories.get(queue.name(), now);
      int toLaunch = FleetPolicy.toLaunch(d, history, queue.targetWait(), cap);
      if (toLaunch <= 0) {
        continue;
      }
      if (pauses.paused(queue.name(), now)) {
        continue;
      }
      // Up to the fleet size decided here, not "toLaunch more": another node deciding from the
      // same demand at the same time then finds those slots taken.
      List<String> ids =
          stall.time(
              "reserveRunners",
              () ->
                  fleet.reserveRunners(
                      new NewRunner(queue.name(), launcher.name(), queue.size(), now),
                      d.runnersAlive() + toLaunch,
                      toLaunch));
      Duration idle = FleetPolicy.idleBudget(history, queue);
      for (String id : ids) {
        Thread t =
            Thread.ofVirtual()
                .name("mayfly-launch-" + id)
                .unstarted(
                    () -> {
                      try {
                        launch(id, queue, launcher, idle);
                      } catch (RuntimeException e) {
                        // The runner stays "launching" and is declared lost after the lease
                        // timeout; its slot comes back then.
                        LOG.log(
                            Level.WARNING, "recording the launch of runner " + id + " failed", e);
                      } finally {
                        launching.remove(Thread.currentThread());
                      }
                    });
        launching.add(t);
        t.start();
      }
    }
  }

  /**
   * A runner declared lost may still be there (frozen, or cut off from the database): stop it, so
   * it cannot go on with work that now belongs to another runner.
   */
  private void stopLost(List<Recovered.LostRunner> lost) {
    for (Recovered.LostRunner r : lost) {
      String platformId = r.platformId();
      if (platformId == null) {
        continue;
      }
      Thread.ofVirtual()
          .name("mayfly-stop-" + r.id())
          .start(
              () -> {
                try {
                  Launcher launcher = launchers.apply(config.queue(r.queue()));
                  if (launcher.name().equals(r.launcher())) {
                    launcher.stop(platformId);
                  }
                } catch (RuntimeException e) {
                  LOG.log(Level.WARNING, "stopping lost runner " + r.id() + " failed", e);
                }
              });
    }
  }

  private void launch(String runnerId, QueueConfig queue, Launcher launcher, Duration idle) {
    Instant now = config.clock().instant();
    RunnerSettings settings = config.runnerSettings(runnerId, queue, types.encode(), idle, now);
    RunnerOutputBuffer output =
        new RunnerOutputBuffer(
            runnerId,
            config.output(),
            config.clock(),
            outputHeldPeak,
            batch ->
                stall.run("appendRunnerOutput", () -> fleet.appendRunnerOutput(runnerId, batch)));
    outputs.put(runnerId, output);
    LaunchRequest request =
        new LaunchRequest(
            runnerId,
            queue.name(),
            RunnerEnvironment.encode(settings, true),
            queue.timeToLive(),
            queue.size(),
            output::add,
            queue.command(),
            config.output().maxLine());
    long startNanos = config.ticker().getAsLong();
    try {
      RunnerHandle handle = launcher.launch(request);
      troubles.launched(launcher.name());
      tell(l -> l.launched(queue.name(), launcher.name(), since(startNanos)));
      stall.run("runnerLaunched", () -> fleet.runnerLaunched(runnerId, handle.platformId()));
      handle
          .instance()
          .thenAccept(
              instance ->
                  stall.run("runnerLaunched", () -> fleet.runnerLaunched(runnerId, instance)));
      starting.launched(runnerId, queue.name(), launcher, handle.platformId());
      var seen = handle.exit().whenComplete((exit, error) -> exited(runnerId, queue, exit, error));
      ending.put(runnerId, seen);
      seen.whenComplete((exit, error) -> ending.remove(runnerId, seen));
    } catch (LaunchException e) {
      tell(l -> l.launchFailed(queue.name(), launcher.name(), e.atCapacity(), since(startNanos)));
      outputs.remove(runnerId);
      stall.time(
          "runnerLaunchFailed",
          () -> fleet.runnerLaunchFailed(runnerId, e.getMessage(), config.clock().instant()));
      troubles.refused(queue.name(), launcher.name(), e);
    } catch (RuntimeException e) {
      tell(l -> l.launchFailed(queue.name(), launcher.name(), false, since(startNanos)));
      outputs.remove(runnerId);
      stall.time(
          "runnerLaunchFailed",
          () ->
              fleet.runnerLaunchFailed(
                  runnerId, launcher.name() + " launcher failed: " + e, config.clock().instant()));
      LOG.log(Level.ERROR, "launching runner " + runnerId + " failed unexpectedly", e);
      pauses.backOff(queue.name());
    }
  }

  /** Asks the platform after launched runners that have not reported in, as due. */
  private void watchStarts(Instant now) {
    starting
        .due(now)
        .forEach(
            (runnerId, w) ->
                Thread.ofVirtual()
                    .name("mayfly-start-watch-" + runnerId)
                    .start(() -> checkStart(runnerId, w)));
  }

  private void checkStart(String runnerId, StartWatches.Watch w) {
    if (!running) {
      return; // closed: the store may be gone
    }
    try {
      Instant now = config.clock().instant();
      boolean launching =
          stall
              .time("runner", () -> reads.runner(runnerId, now))
              .map(r -> r.state() == RunnerState.LAUNCHING)
              .orElse(false);
      if (!launching) {
        starting.forget(runnerId);
        if (pauses.reportedIn(w.queue())) {
          LOG.log(Level.INFO, "runner {0} of queue {1} reported in", runnerId, w.queue());
        }
        return;
      }
      RunnerExit ended = w.launcher().exited(w.platformId()).orElse(null);
      if (ended == null) {
        return;
      }
      starting.forget(runnerId);
      String wrongStore = troubles.wrongStore(runnerId, ended.exitCode());
      String why =
          wrongStore != null
              ? wrongStore
              : "runner "
                  + runnerId
                  + " ended before it reported in"
                  + (ended.detail().isEmpty() ? "" : ": " + ended.detail());
      if (!stall.time("runnerLaunchFailed", () -> fleet.runnerLaunchFailed(runnerId, why, now))) {
        return; // it reported in after all, and has ended since
      }
      if (wrongStore != null) {
        troubles.opensAnotherStore(w.queue(), why);
      } else {
        troubles.diedEarly(w.queue(), why);
      }
      wake();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "asking after runner " + runnerId + " failed", e);
    }
  }

  private Duration since(long startNanos) {
    return Duration.ofNanos(config.ticker().getAsLong() - startNanos);
  }

  private void tell(java.util.function.Consumer<DispatchListener> event) {
    for (DispatchListener l : listeners) {
      try {
        event.accept(l);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "a dispatch listener failed; dispatching goes on", e);
      }
    }
  }

  private void exited(String runnerId, QueueConfig queue, RunnerExit exit, Throwable error) {
    if (closed) {
      return; // closed: the store may be gone; the runner recorded its own end
    }
    try {
      starting.forget(runnerId);
      RunnerOutputBuffer output = outputs.remove(runnerId);
      if (output != null) {
        output.end();
      }
      Instant at = exit != null ? exit.at() : config.clock().instant();
      Integer code = exit != null ? exit.exitCode() : null;
      boolean disrupted = exit != null && exit.disrupted();
      // read once: ending the runner changes neither its state before nor its jobs run
      var before = stall.time("runner", () -> reads.runner(runnerId, at));
      if (before.map(r -> r.state() == RunnerState.LAUNCHING).orElse(false)) {
        // Its process is gone and it never reported in: a wrong command, class path or image.
        String wrongStore = troubles.wrongStore(runnerId, code);
        String why =
            "runner "
                + runnerId
                + " ended before it reported in"
                + (code == null ? "" : " (exit code " + code + ")")
                + (exit == null || exit.detail().isEmpty() ? "" : ": " + exit.detail())
                + "; what it printed: 'mayfly runners --output "
                + runnerId
                + "'";
        if (wrongStore != null) {
          why = wrongStore;
        }
        String failure = why;
        if (stall.time(
            "runnerLaunchFailed", () -> fleet.runnerLaunchFailed(runnerId, failure, at))) {
          stall.run(
              "runnerExited",
              () -> fleet.runnerExited(runnerId, code, at)); // its exit code; it stays failed
          histories.forget(queue.name());
          if (wrongStore != null) {
            troubles.opensAnotherStore(queue.name(), why);
          } else if (disrupted) {
            LOG.log(Level.INFO, "{0}; the platform ended it, the next tick launches anew", why);
          } else {
            troubles.diedEarly(queue.name(), why);
          }
          return;
        }
      }
      stall.run("runnerExited", () -> fleet.runnerExited(runnerId, code, at));
      histories.forget(queue.name()); // its start-up and jobs are history now: read them anew
      boolean crashedEarly =
          !disrupted
              && code != null
              && code != 0
              && before.map(r -> r.jobsRun() == 0).orElse(false);
      if (crashedEarly) {
        Duration wait = pauses.backOff(queue.name());
        LOG.log(
            Level.WARNING,
            "runner {0} of queue {1} exited with code {2} before running any job ({3}); see"
                + " `mayfly runners` for its output. Next launch in {4}",
            runnerId,
            queue.name(),
            code,
            exit.detail(),
            wait);
      } else {
        pauses.succeeded(queue.name());
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "recording the exit of runner " + runnerId + " failed", e);
    } finally {
      wake();
    }
  }

  /** The most output one runner's buffer has held at once, in bytes as lines count. */
  private final java.util.concurrent.atomic.LongAccumulator outputHeldPeak =
      new java.util.concurrent.atomic.LongAccumulator(Math::max, 0);

  /** The most output one runner's buffer has held at once since start, for tests. */
  long outputHeldPeak() {
    return outputHeldPeak.get();
  }

  @Override
  public synchronized void close() {
    running = false;
    try {
      listening.close();
    } catch (Exception e) {
      LOG.log(Level.DEBUG, "closing the listener failed", e);
    }
    if (thread != null) {
      thread.interrupt();
      try {
        thread.join(Duration.ofSeconds(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try {
      awaitLaunches(LAUNCH_WAIT_ON_CLOSE);
      awaitEnded(ENDED_WAIT_ON_CLOSE);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closed = true;
    outputs.values().forEach(RunnerOutputBuffer::end);
  }

  /**
   * Waits up to {@code max} for runners that have recorded their own end, but whose launcher has
   * not yet told it, to be seen ending; runners still working are left to end on their own.
   */
  private void awaitEnded(Duration max) throws InterruptedException {
    LongSupplier ticker = config.ticker();
    long deadline = ticker.getAsLong() + max.toNanos();
    Instant now = config.clock().instant();
    for (var e : Map.copyOf(ending).entrySet()) {
      boolean ended;
      try {
        ended =
            stall
                .time("runner", () -> reads.runner(e.getKey(), now))
                .map(r -> !r.state().isAlive())
                .orElse(true);
      } catch (RuntimeException storeGone) {
        return;
      }
      if (!ended) {
        continue;
      }
      try {
        e.getValue().get(Math.max(1, deadline - ticker.getAsLong()), TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.ExecutionException | TimeoutException ignored) {
        // failed or slow: the runner's own record stands
      }
    }
  }

  /**
   * Waits up to {@code max} for the launches started by past ticks to be recorded (launched or
   * failed, with any backoff set).
   */
  void awaitLaunches(Duration max) throws InterruptedException {
    LongSupplier ticker = config.ticker();
    long deadline = ticker.getAsLong() + max.toNanos();
    for (Thread t : List.copyOf(launching)) {
      t.join(Duration.ofNanos(Math.max(1, deadline - ticker.getAsLong())));
    }
  }
}
