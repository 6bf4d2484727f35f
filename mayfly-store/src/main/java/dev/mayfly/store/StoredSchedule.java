package dev.mayfly.store;

import org.jspecify.annotations.Nullable;

/**
 * A schedule as the store keeps it: what the configuration says, checked before it gets here.
 *
 * @param queue null for the job type's own queue
 * @param catchUp {@code latest}, {@code all} or {@code none}
 * @param overlap {@code skip} or {@code allow}
 */
public record StoredSchedule(
    String name,
    String cron,
    String zone,
    String jobType,
    String args,
    @Nullable String queue,
    String catchUp,
    String overlap) {}
