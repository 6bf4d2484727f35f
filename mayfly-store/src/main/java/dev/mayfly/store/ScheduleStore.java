package dev.mayfly.store;

import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Recurring jobs: their definitions, and which fire time each handled last. Handling a time is a
 * compare-and-set in the transaction that enqueues its job, so however many dispatchers share the
 * database, one handles each time and no time gets two jobs.
 *
 * <p>Contract tests: {@code ScheduleStoreContract} in this module's test jar.
 */
public interface ScheduleStore {

  /**
   * Makes the stored schedules exactly {@code schedules}: a new one is due from {@code now}, a
   * changed one keeps the last fire time it handled, one no longer listed is deleted.
   */
  void defineSchedules(List<StoredSchedule> schedules, Instant now);

  /** Every stored schedule and where it stands, by name. */
  List<ScheduleState> schedules();

  /**
   * Handles fire time {@code at} of a schedule by enqueuing {@code job} in the same transaction, if
   * the last time the schedule handled is still {@code last} and it is not paused: of any number of
   * dispatchers, one handles each time. Returns the job's id, or null when another handled it first
   * (or the schedule was paused or removed meanwhile).
   */
  @Nullable Long fireSchedule(String name, @Nullable Instant last, Instant at, NewJob job);

  /** Lets fire time {@code at} go without a job, on the terms of {@link #fireSchedule}. */
  boolean skipSchedule(String name, @Nullable Instant last, Instant at);

  /** Pauses or resumes a schedule; false if there is none of that name. */
  boolean pauseSchedule(String name, boolean paused);

  /**
   * Enqueues {@code job} for a schedule now, outside its fire times, as its latest job (so {@code
   * overlap skip} waits for it); null if there is no schedule of that name.
   */
  @Nullable Long runScheduleNow(String name, NewJob job);
}
