package dev.mayfly.store;

import java.time.Instant;

/** A runner about to be launched. */
public record NewRunner(String queue, String launcher, String size, Instant launchedAt) {}
