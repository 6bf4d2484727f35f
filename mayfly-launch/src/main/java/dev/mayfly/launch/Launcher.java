package dev.mayfly.launch;

import java.util.Optional;

/**
 * Starts runners somewhere: a local process, a virtual thread, a Heroku one-off dyno, a Kubernetes
 * Job. A launcher only starts, stops and observes; what a runner does is decided by the environment
 * in its {@link LaunchRequest} and recorded in the store by the runner itself.
 *
 * <p>Implementations are thread-safe. The built-ins are {@code
 * dev.mayfly.launch.local.LocalLauncher} and {@code dev.mayfly.launch.inprocess.InProcessLauncher}
 * (module {@code mayfly-launch-local}).
 */
public interface Launcher extends AutoCloseable {

  /** A short name stored with each runner: {@code local}, {@code inprocess}, {@code heroku}. */
  String name();

  /**
   * Starts one runner and returns as soon as the platform accepted it. The platform must end it at
   * the request's time-to-live at the latest.
   *
   * @throws LaunchException when the platform refused; its message says what and why
   */
  RunnerHandle launch(LaunchRequest request) throws LaunchException;

  /** Asks the platform to stop a runner; does nothing if it already ended. */
  void stop(String platformId);

  /**
   * How many runners of this size the platform allows at once, if the launcher knows (it may learn
   * it from the platform's refusals). The dispatcher never aims above it.
   */
  default java.util.OptionalInt capacity(String size) {
    return java.util.OptionalInt.empty();
  }

  /**
   * How a runner it launched ended, if the platform saw it end; empty while it runs or may yet
   * start, and when the platform does not know it (never launched here, forgotten since, or not
   * reachable just now). The dispatcher asks it of runners that have not reported in.
   */
  Optional<RunnerExit> exited(String platformId);

  /**
   * Releases the launcher's own resources; runners already started are left to end on their own.
   */
  @Override
  default void close() {}
}
