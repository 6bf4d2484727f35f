package dev.mayfly.launch.local;

import dev.mayfly.launch.LaunchException;
import dev.mayfly.launch.LaunchRequest;
import dev.mayfly.launch.Launcher;
import dev.mayfly.launch.RunnerExit;
import dev.mayfly.launch.RunnerHandle;
import dev.mayfly.protocol.LineCap;
import dev.mayfly.protocol.PostgresUrl;
import dev.mayfly.protocol.RunnerEnvironment;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Runs each runner as a new JVM on this machine, with the app's own class path: the local stand-in
 * for a one-off dyno. Output (stdout and stderr, merged) goes to the request's sink line by line;
 * the process is sent SIGTERM at its time-to-live and killed {@code stopGrace} later.
 */
public final class LocalLauncher implements Launcher {
  private final LocalOptions options;
  private final InstantSource clock;
  private final Map<String, Process> processes = new ConcurrentHashMap<>();
  private final StartupCache.@Nullable Mode cacheMode;

  /** By the store runners open: a PostgreSQL runner loads other classes than an SQLite one. */
  private final Map<Boolean, StartupCache> caches = new ConcurrentHashMap<>();

  private final ScheduledExecutorService timers =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "mayfly-local-launcher-timer");
            t.setDaemon(true);
            return t;
          });

  public LocalLauncher(LocalOptions options, InstantSource clock) {
    this(options, clock, null);
  }

  /** With the start-up cache's kind forced, for tests of the one this JDK would not pick. */
  LocalLauncher(LocalOptions options, InstantSource clock, StartupCache.@Nullable Mode cacheMode) {
    this.options = options;
    this.clock = clock;
    this.cacheMode = cacheMode;
  }

  /**
   * Made on first use for runners of that store (it extracts SQLite's library and reads the class
   * path's jars); null when turned off.
   */
  private @Nullable StartupCache startupCache(@Nullable String databaseUrl) {
    Path dir = options.startupCache();
    if (dir == null) {
      return null;
    }
    boolean postgres = databaseUrl != null && PostgresUrl.matches(databaseUrl);
    return caches.computeIfAbsent(
        postgres, pg -> new StartupCache(dir, options, cacheMode, pg ? databaseUrl : null));
  }

  /**
   * Builds the start-up cache for runners of the SQLite store now, if there can be one and it is
   * not built yet (what {@code mayfly aot} does), and says what there is.
   */
  public String buildStartupCache() {
    return buildStartupCache(null);
  }

  /**
   * Builds the start-up cache for runners of the store at {@code databaseUrl}. For PostgreSQL the
   * training run connects to that database and runs the runner's statements against a queue no job
   * is in: they read, and change no row.
   */
  public String buildStartupCache(@Nullable String databaseUrl) {
    StartupCache c = startupCache(databaseUrl);
    if (c == null) {
      return "no start-up cache: it is turned off";
    }
    if (c.mode() == StartupCache.Mode.NONE) {
      return "no start-up cache: " + c.whyNone();
    }
    return c.build()
        ? c.mode() + " cache " + c.file()
        : "building the " + c.mode() + " cache " + c.file() + " failed; see its .log beside it";
  }

  @Override
  public String name() {
    return "local";
  }

  /** The command an SQLite runner is started with now, start-up cache options included. */
  public List<String> command() {
    return command(null);
  }

  /** The command a runner of the store at {@code databaseUrl} is started with now. */
  public List<String> command(@Nullable String databaseUrl) {
    List<String> cmd = new ArrayList<>();
    cmd.add(options.javaBinary().toString());
    cmd.addAll(options.jvmOptions());
    StartupCache cache = startupCache(databaseUrl);
    if (cache != null) {
      cmd.addAll(cache.launchOptions());
    }
    cmd.add("-cp");
    cmd.add(options.classPath());
    cmd.add(options.mainClass());
    return cmd;
  }

  @Override
  public RunnerHandle launch(LaunchRequest request) throws LaunchException {
    ProcessBuilder pb =
        new ProcessBuilder(command(request.env().get(RunnerEnvironment.DATABASE_URL)))
            .redirectErrorStream(true);
    pb.environment().putAll(request.env());
    Process process;
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new LaunchException(
          "local launcher could not start runner "
              + request.runnerId()
              + " with '"
              + options.javaBinary()
              + "': "
              + e.getMessage()
              + "; check that a JDK 21+ is there. The jobs stay queued.",
          e);
    }
    String pid = Long.toString(process.pid());
    processes.put(pid, process);
    CompletableFuture<RunnerExit> exit = new CompletableFuture<>();
    var killedAtTtl = new java.util.concurrent.atomic.AtomicBoolean();
    var ttlTimer =
        timers.schedule(
            () -> {
              killedAtTtl.set(true);
              terminate(process);
            },
            request.timeToLive().toMillis(),
            TimeUnit.MILLISECONDS);
    // Reads output to its end, then waits for the exit: the exit is reported only after every
    // line has been handed over. A line past the request's maxLine is cut while it is read.
    Thread.ofVirtual()
        .name("mayfly-local-output-" + pid)
        .start(
            () -> {
              try (var reader =
                  new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)) {
                LineCap.read(reader, request.maxLine(), line -> deliver(request, line));
              } catch (IOException e) {
                deliver(request, "[mayfly] output capture ended: " + e.getMessage());
              }
              try {
                int code = process.waitFor();
                ttlTimer.cancel(false);
                processes.remove(pid);
                exit.complete(
                    new RunnerExit(
                        code,
                        clock.instant(),
                        killedAtTtl.get()
                            ? "killed at its time-to-live of " + request.timeToLive()
                            : "exited with code " + code));
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exit.completeExceptionally(e);
              }
            });
    return new RunnerHandle(pid, exit);
  }

  private static void deliver(LaunchRequest request, String line) {
    try {
      request.output().accept(line);
    } catch (RuntimeException e) {
      // a failing sink must not stop us from draining the pipe (the child would block on it)
    }
  }

  private void terminate(Process process) {
    // Through the handle: Process.destroy() would also close our end of the output pipe, losing
    // whatever the runner prints while it stops.
    ProcessHandle handle = process.toHandle();
    handle.destroy(); // SIGTERM: the runner stops claiming and lets its job finish
    timers.schedule(handle::destroyForcibly, options.stopGrace().toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void stop(String platformId) {
    Process p = processes.get(platformId);
    if (p != null) {
      terminate(p);
    }
  }

  @Override
  public Optional<RunnerExit> exited(String platformId) {
    // A process started by another node (or reaped already) is not ours to judge: empty.
    Process p = processes.get(platformId);
    if (p == null || p.isAlive()) {
      return Optional.empty();
    }
    int code = p.exitValue();
    return Optional.of(new RunnerExit(code, clock.instant(), "exit code " + code));
  }

  @Override
  public void close() {
    timers.shutdownNow();
  }

  /** How long a stopped runner gets between SIGTERM and SIGKILL. */
  public static Duration defaultStopGrace() {
    return Duration.ofSeconds(10);
  }
}
