package dev.mayfly.store;

import dev.mayfly.api.JobState;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A stored schedule and where it stands.
 *
 * @param since fire times after this are due: when the schedule was first stored
 * @param lastFire the last fire time handled, fired or skipped; null if none yet
 * @param lastJobId the job its last fired time enqueued, while it is kept
 * @param lastJobState that job's state, or null when there is none (or it was pruned)
 * @param fired how many fire times enqueued a job
 * @param skipped how many were let go (a previous run unfinished, or missed under catch-up none)
 */
public record ScheduleState(
    StoredSchedule schedule,
    boolean paused,
    Instant since,
    @Nullable Instant lastFire,
    @Nullable Long lastJobId,
    @Nullable JobState lastJobState,
    long fired,
    long skipped) {}
