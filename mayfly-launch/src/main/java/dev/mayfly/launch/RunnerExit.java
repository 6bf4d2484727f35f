package dev.mayfly.launch;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * How a runner ended, as its launcher saw it.
 *
 * @param exitCode the process exit code, or null where the platform does not report one
 * @param detail a short explanation, such as "killed at its time-to-live"
 */
public record RunnerExit(@Nullable Integer exitCode, Instant at, String detail) {}
