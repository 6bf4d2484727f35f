package dev.mayfly.api;

import java.time.Instant;

/** One stored line of a job's log or of a runner's captured output. */
public record LogLine(Instant at, String level, String message) {}
