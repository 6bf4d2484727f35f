package dev.mayfly;

import dev.mayfly.api.EnqueueOptions;
import dev.mayfly.api.JobState;
import dev.mayfly.internal.jobs.JobDescriptor;
import dev.mayfly.internal.jobs.JobTypes;
import dev.mayfly.schedule.CronTimes;
import dev.mayfly.schedule.Due;
import dev.mayfly.store.NewJob;
import dev.mayfly.store.ScheduleState;
import dev.mayfly.store.ScheduleStore;
import dev.mayfly.store.StoredSchedule;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Fires due schedules, from any dispatcher: no leader and no clock process. Each pass reads the
 * stored schedules, works out the due fire times by the catch-up policy ({@link Due}) and hands
 * each to the store, which gives it to one dispatcher only; one that finds a time handled by
 * another stops there for that schedule.
 */
final class Scheduler {
  private static final System.Logger LOG = System.getLogger("dev.mayfly.schedule");

  /** How late a fire time may be handled and still be on time, for {@code catch-up none}. */
  static final Duration GRACE = Duration.ofSeconds(5);

  private final MayflyConfig config;
  private final ScheduleStore store;
  private final JobTypes types;
  private final Map<String, CronTimes> crons = new ConcurrentHashMap<>();
  private final Set<String> warned = ConcurrentHashMap.newKeySet();
  private final Consumer<Consumer<DispatchListener>> tell;

  /** {@code tell} passes each fire and skip on to the dispatcher's listeners. */
  Scheduler(
      MayflyConfig config,
      ScheduleStore store,
      JobTypes types,
      Consumer<Consumer<DispatchListener>> tell) {
    this.config = config;
    this.store = store;
    this.types = types;
    this.tell = tell;
  }

  /** Stores the configuration's schedules, replacing what was stored before. */
  void define() {
    List<StoredSchedule> defined =
        config.schedules().values().stream()
            .map(
                s ->
                    new StoredSchedule(
                        s.name(),
                        s.cron(),
                        s.zone().getId(),
                        s.type(),
                        s.args(),
                        s.queue(),
                        s.catchUp().name().toLowerCase(Locale.ROOT),
                        s.overlap().name().toLowerCase(Locale.ROOT)))
            .toList();
    store.defineSchedules(defined, config.clock().instant());
  }

  /** One pass: handles every fire time due by {@code now}; returns how many jobs it enqueued. */
  int fireDue(Instant now) {
    int enqueued = 0;
    for (ScheduleState s : store.schedules()) {
      if (!s.paused()) {
        enqueued += fire(s, now);
      }
    }
    return enqueued;
  }

  private int fire(ScheduleState state, Instant now) {
    StoredSchedule s = state.schedule();
    JobDescriptor type = types.find(s.jobType()).orElse(null);
    if (type == null) {
      // defined by a node whose configuration knows the type; this one leaves it to that node
      warnOnce(
          s.name(),
          "schedule {0} enqueues job type {1}, which this node does not know; another node fires it",
          s.name(),
          s.jobType());
      return 0;
    }
    String misfit = JobMaker.misfit(type.name(), type.timeout(), queueOf(s));
    if (misfit != null) {
      // stored by a node whose queue lets it run; this one leaves the fire time to that node
      warnOnce(
          s.name() + " misfit", "schedule {0} is not fired by this node: {1}", s.name(), misfit);
      return 0;
    }
    CronTimes cron = crons.computeIfAbsent(s.cron(), CronTimes::parse);
    List<Due.Time> due =
        Due.times(
            cron,
            ZoneId.of(s.zone()),
            state.since(),
            state.lastFire(),
            now,
            Due.CatchUp.valueOf(s.catchUp().toUpperCase(Locale.ROOT)),
            GRACE);
    Instant last = state.lastFire();
    boolean previousUnfinished = unfinished(state.lastJobState());
    int enqueued = 0;
    for (Due.Time t : due) {
      boolean fire = t.fire() && !(s.overlap().equals("skip") && previousUnfinished);
      if (fire) {
        Long id = store.fireSchedule(s.name(), last, t.at(), job(s, type, t.at(), now));
        if (id == null) {
          return enqueued; // another dispatcher handled this time, and goes on from it
        }
        enqueued++;
        previousUnfinished = true;
        LOG.log(Level.DEBUG, "schedule {0}: fired {1} as job {2}", s.name(), t.at(), id);
        Duration late = Duration.between(t.at(), now);
        tell.accept(l -> l.scheduleFired(s.name(), late));
      } else {
        if (!store.skipSchedule(s.name(), last, t.at())) {
          return enqueued;
        }
        LOG.log(
            Level.INFO,
            "schedule {0}: skipped {1} ({2})",
            s.name(),
            t.at(),
            t.fire() ? "its previous job is unfinished" : "missed, and catch-up is none");
        String reason = t.fire() ? "overlap" : "missed";
        tell.accept(l -> l.scheduleSkipped(s.name(), reason));
      }
      last = t.at();
    }
    return enqueued;
  }

  /** The stored schedules as shown to people, with their next fire times after {@code now}. */
  List<dev.mayfly.api.ScheduleInfo> infos(Instant now) {
    return store.schedules().stream()
        .map(
            st -> {
              StoredSchedule s = st.schedule();
              Instant next =
                  crons
                      .computeIfAbsent(s.cron(), CronTimes::parse)
                      .next(now, ZoneId.of(s.zone()))
                      .orElse(null);
              return new dev.mayfly.api.ScheduleInfo(
                  s.name(),
                  s.cron(),
                  s.zone(),
                  s.jobType(),
                  s.args(),
                  s.queue(),
                  s.catchUp(),
                  s.overlap(),
                  st.paused(),
                  st.paused() ? null : next,
                  st.lastFire(),
                  st.lastJobId(),
                  st.lastJobState(),
                  st.fired(),
                  st.skipped());
            })
        .toList();
  }

  /**
   * Enqueues a job of the schedule now, outside its times.
   *
   * @throws IllegalArgumentException naming the known schedules, when there is none of that name or
   *     this node does not know its job type
   */
  long runNow(String name, Instant now) {
    ScheduleState state =
        store.schedules().stream()
            .filter(s -> s.schedule().name().equals(name))
            .findFirst()
            .orElseThrow(() -> unknown(name));
    JobDescriptor type =
        types
            .find(state.schedule().jobType())
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "schedule '"
                            + name
                            + "' enqueues job type '"
                            + state.schedule().jobType()
                            + "', which is not among this configuration's jobs"));
    String misfit = JobMaker.misfit(type.name(), type.timeout(), queueOf(state.schedule()));
    if (misfit != null) {
      throw new IllegalArgumentException("schedule '" + name + "' cannot run now: " + misfit);
    }
    Long id = store.runScheduleNow(name, job(state.schedule(), type, now, now));
    if (id == null) {
      throw unknown(name);
    }
    return id;
  }

  /** Pauses or resumes a schedule. */
  void pause(String name, boolean paused) {
    if (!store.pauseSchedule(name, paused)) {
      throw unknown(name);
    }
  }

  private IllegalArgumentException unknown(String name) {
    List<String> names = store.schedules().stream().map(s -> s.schedule().name()).toList();
    return new IllegalArgumentException(
        "no schedule '"
            + name
            + "'; stored schedules: "
            + (names.isEmpty()
                ? "none (a node stores its schedule.* settings when it starts)"
                : String.join(", ", names)));
  }

  /**
   * A job of the schedule. Its run-at is its fire time (which has come, so the job is ready now):
   * what a job says it was scheduled for.
   */
  private NewJob job(StoredSchedule s, JobDescriptor type, Instant fireTime, Instant now) {
    QueueConfig queue = queueOf(s);
    return JobMaker.make(type, queue, s.args(), 0, fireTime, null, now, null);
  }

  private QueueConfig queueOf(StoredSchedule s) {
    return config.queue(s.queue() != null ? s.queue() : EnqueueOptions.DEFAULT_QUEUE);
  }

  /** Queued, scheduled, running or waiting for a retry. */
  private static boolean unfinished(@Nullable JobState state) {
    return state != null
        && state != JobState.SUCCEEDED
        && state != JobState.DEAD
        && state != JobState.CANCELLED;
  }

  private void warnOnce(String key, String message, Object... params) {
    if (warned.add(key)) {
      LOG.log(Level.WARNING, message, params);
    }
  }
}
