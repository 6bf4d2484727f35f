package dev.mayfly.store;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/** A runner about to be launched. */
public record NewRunner(String queue, String launcher, @Nullable String size, Instant launchedAt) {}
