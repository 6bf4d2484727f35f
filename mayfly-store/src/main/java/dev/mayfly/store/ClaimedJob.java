package dev.mayfly.store;

import java.time.Duration;
import java.time.Instant;

/** A job a runner has just claimed; {@code attempt} is 1 on the first execution. */
public record ClaimedJob(
    long id,
    String type,
    String queue,
    String args,
    int attempt,
    Duration timeout,
    Instant enqueuedAt,
    Instant startedAt) {}
