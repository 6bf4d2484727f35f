package dev.mayfly.launch;

import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * One runner to start.
 *
 * @param env variables the runner needs (see {@code RunnerSettings}); launchers add them to what
 *     the platform gives every process
 * @param timeToLive the platform kills the runner after this long, whatever it is doing
 * @param size the platform's machine size, such as {@code standard-1x}; launchers without sizes
 *     ignore it
 * @param output receives each line the runner prints, when the launcher can capture them
 * @param command what the platform runs, where it runs commands (Heroku); null for the launcher's
 *     default
 */
public record LaunchRequest(
    String runnerId,
    String queue,
    Map<String, String> env,
    Duration timeToLive,
    String size,
    Consumer<String> output,
    @Nullable String command) {

  public LaunchRequest {
    env = Map.copyOf(env);
  }
}
