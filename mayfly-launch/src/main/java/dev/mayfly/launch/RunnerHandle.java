package dev.mayfly.launch;

import java.util.concurrent.CompletableFuture;

/**
 * A launched runner.
 *
 * @param platformId the platform's id for it: a pid, a dyno id, a Kubernetes Job's name
 * @param exit completes when the launcher sees the runner end; launchers that cannot see that (a
 *     detached dyno) leave it incomplete, and the runner's own report and heartbeat tell instead
 * @param instance completes with the name of what the platform started for the runner, where that
 *     is known only later and says more than {@code platformId} (a Job's pod); recorded as the
 *     runner's platform id from then on, so {@link Launcher#stop} and {@link Launcher#status}
 *     accept it too. Launchers without one leave it incomplete
 */
public record RunnerHandle(
    String platformId, CompletableFuture<RunnerExit> exit, CompletableFuture<String> instance) {

  public RunnerHandle(String platformId, CompletableFuture<RunnerExit> exit) {
    this(platformId, exit, new CompletableFuture<>());
  }
}
