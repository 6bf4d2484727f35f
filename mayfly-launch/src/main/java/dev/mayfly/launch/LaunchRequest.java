package dev.mayfly.launch;

import dev.mayfly.protocol.LineCap;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * One runner to start.
 *
 * @param env variables the runner needs (see {@code RunnerEnvironment}); launchers add them to what
 *     the platform gives every process
 * @param timeToLive the platform kills the runner after this long, whatever it is doing
 * @param size the platform's machine size, such as {@code standard-1x}; launchers without sizes
 *     ignore it
 * @param output receives each line the runner prints, when the launcher can capture them
 * @param command what the platform runs, where it runs commands (Heroku); null for the launcher's
 *     default
 * @param maxLine the longest line of output worth reading whole, in UTF-8 bytes: a launcher that
 *     reads the runner's output may cut a longer line there while reading it, keeping its head (the
 *     dispatcher cuts lines there anyway), so one line without end does not fill its memory
 */
public record LaunchRequest(
    String runnerId,
    String queue,
    Map<String, String> env,
    Duration timeToLive,
    String size,
    Consumer<String> output,
    @Nullable String command,
    int maxLine) {

  public LaunchRequest {
    env = Map.copyOf(env);
    if (maxLine < LineCap.MIN) {
      throw new IllegalArgumentException(
          "maxLine must be at least " + LineCap.MIN + " bytes, was " + maxLine);
    }
  }

  /** A request whose output lines may be cut at 16 KiB. */
  public LaunchRequest(
      String runnerId,
      String queue,
      Map<String, String> env,
      Duration timeToLive,
      String size,
      Consumer<String> output,
      @Nullable String command) {
    this(runnerId, queue, env, timeToLive, size, output, command, LineCap.DEFAULT);
  }
}
