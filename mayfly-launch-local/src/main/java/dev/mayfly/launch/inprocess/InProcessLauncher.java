package dev.mayfly.launch.inprocess;

import dev.mayfly.internal.jobs.JobInstances;
import dev.mayfly.launch.LaunchRequest;
import dev.mayfly.launch.Launcher;
import dev.mayfly.launch.RunnerExit;
import dev.mayfly.launch.RunnerHandle;
import dev.mayfly.runner.RunnerMain;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Runs each runner on a virtual thread of this JVM, through the same {@link RunnerMain} a process
 * would run: for tests, and for apps that want Mayfly's queue without processes. Nothing is billed
 * and output is not captured separately (jobs still log to the store).
 */
public final class InProcessLauncher implements Launcher {
  private final InstantSource clock;
  private final LongSupplier ticker;
  private final JobInstances instances;
  private final AtomicLong ids = new AtomicLong();
  private final Map<String, Thread> threads = new ConcurrentHashMap<>();
  private final Map<String, Integer> exitCodes = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timers =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "mayfly-inprocess-timer");
            t.setDaemon(true);
            return t;
          });

  public InProcessLauncher(InstantSource clock, LongSupplier ticker) {
    this(clock, ticker, JobInstances.CONSTRUCTOR);
  }

  /**
   * @param clock and {@code ticker}: the app's, which its runners read as a process reads the
   *     machine's
   * @param instances makes the job instances its runners run: an app's beans, in a container
   */
  public InProcessLauncher(InstantSource clock, LongSupplier ticker, JobInstances instances) {
    this.clock = clock;
    this.ticker = ticker;
    this.instances = instances;
  }

  @Override
  public String name() {
    return "inprocess";
  }

  @Override
  public RunnerHandle launch(LaunchRequest request) {
    String id = "vt-" + ids.incrementAndGet();
    Map<String, String> env = new HashMap<>(System.getenv());
    env.putAll(request.env());
    CompletableFuture<RunnerExit> exit = new CompletableFuture<>();
    Thread t =
        Thread.ofVirtual()
            .name("mayfly-runner-" + request.runnerId())
            .unstarted(
                () -> {
                  int code = 1;
                  try {
                    code = RunnerMain.run(env, false, clock, ticker, instances);
                  } finally {
                    threads.remove(id);
                    exitCodes.put(id, code);
                    exit.complete(new RunnerExit(code, clock.instant(), "returned " + code));
                  }
                });
    threads.put(id, t);
    t.start();
    // The thread's deadline: an interrupt makes the runner stop taking jobs and return.
    timers.schedule(t::interrupt, request.timeToLive().toMillis(), TimeUnit.MILLISECONDS);
    return new RunnerHandle(id, exit);
  }

  @Override
  public void stop(String platformId) {
    Thread t = threads.get(platformId);
    if (t != null) {
      t.interrupt();
    }
  }

  @Override
  public Optional<RunnerExit> exited(String platformId) {
    Integer code = threads.containsKey(platformId) ? null : exitCodes.get(platformId);
    return code == null
        ? Optional.empty()
        : Optional.of(new RunnerExit(code, clock.instant(), "returned " + code));
  }

  @Override
  public void close() {
    threads.values().forEach(Thread::interrupt);
    timers.shutdownNow();
  }
}
