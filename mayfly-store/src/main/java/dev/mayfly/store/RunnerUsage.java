package dev.mayfly.store;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One runner's use of its platform, for cost accounting.
 *
 * @param startedAt when the runner process reported itself up, or null if it never did
 * @param exitedAt when it ended, or null while it is alive (it is then billed up to now)
 * @param busySeconds the summed duration of its job attempts
 */
public record RunnerUsage(
    String id,
    String queue,
    String launcher,
    @Nullable String size,
    Instant launchedAt,
    @Nullable Instant startedAt,
    @Nullable Instant exitedAt,
    int jobsRun,
    double busySeconds) {}
