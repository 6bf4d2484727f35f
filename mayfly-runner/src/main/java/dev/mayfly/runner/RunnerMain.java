package dev.mayfly.runner;

import dev.mayfly.internal.jobs.JobInstances;
import dev.mayfly.internal.jobs.JobTypes;
import dev.mayfly.store.JobStore;
import dev.mayfly.store.connect.JobStores;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The entry point a one-off process starts with: {@code java -cp APP_CLASSPATH
 * dev.mayfly.runner.RunnerMain}, everything else in the environment (see {@link RunnerSettings}).
 *
 * <p>Exit codes: 0 after a normal end (idle, job limit, time-to-live, stop requested), 1 when the
 * store failed, 2 when the environment is wrong, 3 when a job ignored its timeout.
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
    return run(env, handleSigterm, InstantSource.system());
  }

  /** {@link #run(Map, boolean)} on the app's clock: what the in-process launcher runs. */
  public static int run(Map<String, String> env, boolean handleSigterm, InstantSource clock) {
    return run(env, handleSigterm, clock, JobInstances.CONSTRUCTOR);
  }

  /**
   * {@link #run(Map, boolean, InstantSource)} with job instances from {@code instances}: what a
   * runner inside a dependency-injection container (a Spring application context) runs.
   */
  public static int run(
      Map<String, String> env, boolean handleSigterm, InstantSource clock, JobInstances instances) {
    RunnerSettings settings;
    try {
      settings = RunnerSettings.fromEnv(env);
    } catch (RuntimeException e) {
      System.err.println("mayfly runner: " + e.getMessage());
      return 2;
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
      return 1;
    }
    JobTypes types;
    try {
      types = decoding.get();
    } catch (ExecutionException e) {
      store.close();
      System.err.println(
          "mayfly runner: " + (e.getCause() != null ? e.getCause() : e).getMessage());
      return 2;
    } catch (InterruptedException e) {
      store.close();
      Thread.currentThread().interrupt();
      return 1;
    }
    try (store) {
      Runner runner =
          new Runner(settings, store, types, clock, System::nanoTime, System.out, instances);
      Thread hook = null;
      if (handleSigterm) {
        Thread main = Thread.currentThread();
        hook =
            new Thread(
                () -> {
                  SHUTTING_DOWN.set(true);
                  runner.stop();
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
      Runner.ExitReason reason = runner.run();
      if (hook != null) {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // SIGTERM arrived: the hook is already running and waits for us
        }
      }
      return reason == Runner.ExitReason.STUCK_JOB ? 3 : 0;
    } catch (RuntimeException e) {
      System.err.println("mayfly runner " + settings.runnerId() + " failed: " + e);
      e.printStackTrace();
      return 1;
    }
  }
}
