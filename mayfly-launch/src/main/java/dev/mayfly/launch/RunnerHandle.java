package dev.mayfly.launch;

import java.util.concurrent.CompletableFuture;

/**
 * A launched runner.
 *
 * @param platformId the platform's id for it: a pid, a dyno id, a pod name
 * @param exit completes when the launcher sees the runner end; launchers that cannot see that (a
 *     detached dyno) leave it incomplete, and the runner's own report and heartbeat tell instead
 */
public record RunnerHandle(String platformId, CompletableFuture<RunnerExit> exit) {}
