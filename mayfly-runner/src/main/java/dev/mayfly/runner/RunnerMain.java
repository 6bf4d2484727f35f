package dev.mayfly.runner;

import dev.mayfly.internal.jobs.JobInstances;
import dev.mayfly.internal.jobs.JobTypes;
import dev.mayfly.internal.time.SystemTime;
import dev.mayfly.protocol.RunnerEnvironment;
import dev.mayfly.protocol.RunnerExitCodes;
import dev.mayfly.protocol.RunnerSettings;
import dev.mayfly.store.JobStore;
import dev.mayfly.store.connect.JobStores;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * The entry point a one-off process starts with: {@code java -cp APP_CLASSPATH
 * dev.mayfly.runner.RunnerMain}, everything else in the environment (see {@link
 * RunnerEnvironment}).
 *
 * <p>Exit codes ({@link RunnerExitCodes}): 0 after a normal end (idle, job limit, time-to-live,
 * stop requested), 1 when the store failed, 2 when the environment is wrong, 3 when a job ignored
 * its timeout, 4 when the store it opened has no row for this runner: its database URL is not its
 * dispatcher's.
 */
public final class RunnerMain {
  /** On SIGTERM, how long the current job may go on before the process ends anyway. */
  private static final Duration STOP_GRACE = Duration.ofSeconds(8);

  private RunnerMain() {}

  private static final AtomicBoolean SHUTTING_DOWN = new AtomicBoolean();

  public static void main(String[] args) {
    int code = run(System.getenv(), true);
    System.out.flush();
    if (!SHUTTING_DOWN.get()) { // during shutdown System.exit would block until the hook ends
      System.exit(code);
    }
  }

  /**
   * Runs a runner configured by {@code env} to its end and returns the process exit code. The
   * in-process launcher calls this on a virtual thread, without a shutdown hook.
   */
  public static int run(Map<String, String> env, boolean handleSigterm) {
    return run(
        env, handleSigterm, SystemTime.clock(), SystemTime.ticker(), JobInstances.CONSTRUCTOR);
  }

  /**
   * {@link #run(Map, boolean)} on the app's clock and ticker (what the in-process launcher runs),
   * with job instances from {@code instances} (a runner inside a dependency-injection container,
   * such as a Spring application context, runs the container's).
   */
  public static int run(
      Map<String, String> env,
      boolean handleSigterm,
      InstantSource clock,
      LongSupplier ticker,
      JobInstances instances) {
    RunnerSettings settings;
    try {
      settings = RunnerEnvironment.decode(env);
    } catch (RuntimeException e) {
      System.err.println("mayfly runner: " + e.getMessage());
      return RunnerExitCodes.BAD_ENVIRONMENT;
    }
    // Reading the job types (loading the app's job classes) and opening the store (SQLite's
    // library, or a PostgreSQL connection) do not depend on each other: on a machine with a core
    // to spare, doing them at once brings the first claim sooner.
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    FutureTask<JobTypes> decoding =
        new FutureTask<>(() -> JobTypes.decode(settings.jobTypes(), loader));
    Thread.ofPlatform()
        .daemon()
        .name("mayfly-job-types")
        .start(
            () -> {
              decoding.run();
              try {
                // While the store still connects: what the first job would otherwise wait for.
                decoding.get().prepareBinding();
              } catch (Exception | LinkageError e) {
                // the first job binds as usual, and reports what is wrong
              }
            });
    JobStore store;
    try {
      store = JobStores.openForRunner(settings.databaseUrl());
    } catch (RuntimeException e) {
      System.err.println(
          "mayfly runner " + settings.runnerId() + ": cannot open the store: " + e.getMessage());
      return RunnerExitCodes.FAILED;
    }
    JobTypes types;
    try {
      types = decoding.get();
    } catch (ExecutionException e) {
      store.close();
      System.err.println(
          "mayfly runner: " + (e.getCause() != null ? e.getCause() : e).getMessage());
      return RunnerExitCodes.BAD_ENVIRONMENT;
    } catch (InterruptedException e) {
      store.close();
      Thread.currentThread().interrupt();
      return RunnerExitCodes.FAILED;
    }
    try (store) {
      Runner runner = new Runner(settings, store, types, clock, ticker, System.out, instances);
      Thread hook = null;
      if (handleSigterm) {
        runner.watchJobExits();
        Thread main = Thread.currentThread();
        hook =
            new Thread(
                () -> {
                  SHUTTING_DOWN.set(true);
                  runner.stop();
                  Integer status = JobExits.status();
                  if (status != null
                      || Thread.getAllStackTraces().keySet().stream().anyMatch(JobExits::exiting)) {
                    // Not a signal: code in this process called System.exit, while a job ran.
                    // Waiting would only hold up the exit; the job has ended with its process.
                    try {
                      runner.jobEndedProcess(status);
                    } catch (RuntimeException e) {
                      // the store is away: the launcher reports the exit, the lease the job
                    }
                    return;
                  }
                  try {
                    main.join(STOP_GRACE);
                    if (main.isAlive()) {
                      runner.abandonCurrent(
                          "the runner was stopped (SIGTERM) and the job did not finish within "
                              + STOP_GRACE);
                    }
                  } catch (InterruptedException | RuntimeException e) {
                    // the process ends either way; an unreturned job comes back by its lease
                  }
                },
                "mayfly-sigterm");
        Runtime.getRuntime().addShutdownHook(hook);
      }
      ExitReason reason = runner.run();
      if (hook != null) {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // SIGTERM arrived: the hook is already running and waits for us
        }
      }
      return exitCode(reason);
    } catch (RuntimeException e) {
      System.err.println("mayfly runner " + settings.runnerId() + " failed: " + e);
      e.printStackTrace();
      return RunnerExitCodes.FAILED;
    }
  }

  private static int exitCode(ExitReason reason) {
    return switch (reason) {
      case STUCK_JOB -> RunnerExitCodes.STUCK_JOB;
      case WRONG_STORE -> RunnerExitCodes.WRONG_STORE;
      default -> RunnerExitCodes.DONE;
    };
  }
}
