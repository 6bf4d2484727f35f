package dev.mayfly;

import dev.mayfly.api.EnqueueOptions;
import dev.mayfly.api.InvalidJobException;
import dev.mayfly.api.Job;
import dev.mayfly.internal.jobs.JobDescriptor;
import dev.mayfly.internal.jobs.JobTypes;
import dev.mayfly.launch.Launcher;
import dev.mayfly.store.JobStore;
import dev.mayfly.store.NewJob;
import dev.mayfly.store.connect.JobStores;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/**
 * The library an app embeds: enqueue jobs, and (after {@link #start()}) dispatch them to one-off
 * runners launched on demand. There is no worker process to run beside the app.
 *
 * <pre>{@code
 * Mayfly mayfly = Mayfly.create(MayflyConfig.builder().jobs(AnalyseCommit.class).build()).start();
 * long id = mayfly.enqueue(AnalyseCommit.class, new AnalyseCommit.Args("repo", "abc123"));
 * }</pre>
 *
 * Any number of app nodes may run {@code start()} against the same database: runner limits are kept
 * by the database, not by any one node.
 */
public final class Mayfly implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger("dev.mayfly");

  private final MayflyConfig config;
  private final JobStore store;
  private final JobTypes types;
  private final Admin admin;
  private final Map<String, Launcher> launchers = Collections.synchronizedMap(new HashMap<>());
  private final List<DispatchListener> listeners = new CopyOnWriteArrayList<>();
  private @Nullable Dispatcher dispatcher;

  private Mayfly(MayflyConfig config, JobStore store) {
    this.config = config;
    this.store = store;
    this.types = JobRegistry.of(config.jobs());
    this.admin =
        new Admin(
            store,
            config.clock(),
            config.prices(),
            new Scheduler(config, store.schedules(), types, event -> {}),
            config::queue,
            types);
  }

  /** Opens the store (creating or migrating it) without dispatching: enough to enqueue and read. */
  public static Mayfly create(MayflyConfig config) {
    return new Mayfly(config, JobStores.open(config.databaseUrl()));
  }

  /**
   * Opens a store Mayfly made before, creating none: for a tool that reads or manages what an app
   * stored, where a mistyped database URL should be reported rather than become an empty store.
   *
   * @throws IllegalArgumentException if there is no Mayfly store at the configured database
   */
  public static Mayfly openExisting(MayflyConfig config) {
    return new Mayfly(config, JobStores.openExisting(config.databaseUrl()));
  }

  /** The dispatcher {@link #start()} started, if any, for tests in this package. */
  synchronized @Nullable Dispatcher dispatcher() {
    return dispatcher;
  }

  /** Starts the dispatcher in this JVM; idempotent. */
  public synchronized Mayfly start() {
    if (dispatcher == null) {
      requireLaunchers();
      LOG.log(Level.INFO, "mayfly starting with\n{0}", config.describe());
      dispatcher = new Dispatcher(config, store, types, this::launcherFor, listeners);
      dispatcher.start();
    }
    return this;
  }

  /**
   * One dispatcher pass in this JVM, then return, for an app with nothing always on ({@code mayfly
   * tick}, run from Heroku Scheduler or a Kubernetes CronJob): stores the configured schedules and
   * fires the due ones, recovers expired leases, and launches runners for the ready work, waiting
   * until those launches are recorded. The runners go on to their end after it returns.
   *
   * @return how many jobs the schedules enqueued
   * @throws IllegalStateException if this instance's dispatcher runs already
   */
  public synchronized int runOnce() {
    if (dispatcher != null) {
      throw new IllegalStateException(
          "the dispatcher runs already; runOnce is for a node that does not start one");
    }
    requireLaunchers();
    Dispatcher once = new Dispatcher(config, store, types, this::launcherFor, listeners);
    return once.runOnce();
  }

  /**
   * Makes the launcher of the default settings and of every configured queue before dispatching: a
   * launcher that cannot be made (a platform's credentials missing) stops the start, saying what to
   * set, rather than failing every tick.
   *
   * @throws IllegalArgumentException naming the queue and the missing settings
   */
  private void requireLaunchers() {
    List<QueueConfig> queues = new ArrayList<>(config.queues().values());
    queues.add(config.defaults());
    for (QueueConfig q : queues) {
      try {
        launcherFor(q);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            (q == config.defaults() ? "defaults" : "queue '" + q.name() + "'")
                + ": launcher "
                + q.launcher()
                + ": "
                + e.getMessage(),
            e);
      }
    }
  }

  public <A extends Record, J extends Job<A>> long enqueue(Class<J> type, A args) {
    return enqueue(type, args, EnqueueOptions.defaults());
  }

  /** Stores a job and returns its id. Nothing is written if anything about it is invalid. */
  public <A extends Record, J extends Job<A>> long enqueue(
      Class<J> type, A args, EnqueueOptions options) {
    JobDescriptor d = types.byClass(type);
    return insert(d, types.toJson(d, args), options, 1).getFirst();
  }

  /**
   * Stores a job given its type name and JSON arguments, as the CLI and the HTTP API do; the JSON
   * must bind to the type's argument record.
   *
   * @throws InvalidJobException naming what was wrong; nothing is written
   */
  public long enqueue(String type, String argsJson, EnqueueOptions options) {
    return enqueueMany(type, argsJson, options, 1).getFirst();
  }

  /** Stores {@code count} identical jobs in one transaction: all or none. */
  public List<Long> enqueueMany(String type, String argsJson, EnqueueOptions options, int count) {
    if (count < 1 || count > 1_000_000) {
      throw new InvalidJobException("count must be between 1 and 1000000, was " + count);
    }
    JobDescriptor d = types.byName(type);
    return insert(d, types.validateJson(d, argsJson), options, count);
  }

  private List<Long> insert(JobDescriptor d, String json, EnqueueOptions options, int count) {
    QueueConfig queue = config.queue(options.queue());
    Instant now = config.clock().instant();
    NewJob job =
        JobMaker.make(
            d,
            queue,
            json,
            options.priority(),
            options.readyAt(now),
            options.maxAttempts(),
            now,
            options.uniqueKey());
    if (options.uniqueKey() != null && count > 1) {
      throw new InvalidJobException(
          "a unique key enqueues one job; drop --count or the unique key");
    }
    List<NewJob> jobs = new ArrayList<>(Collections.nCopies(count, job));
    java.sql.Connection transaction = config.transaction().get();
    List<Long> ids =
        transaction != null
            ? store.intake().enqueueAllOn(transaction, jobs)
            : store.intake().enqueueAll(jobs);
    Dispatcher running = dispatcher;
    if (running != null) {
      running.wake();
    }
    return ids;
  }

  /** Tells {@code listener} what this node's dispatcher does (launches, failures), for metrics. */
  public void addListener(DispatchListener listener) {
    listeners.add(listener);
  }

  /** Reading and managing jobs and runners: what the CLI and dashboard are built on. */
  public Admin admin() {
    return admin;
  }

  public MayflyConfig config() {
    return config;
  }

  /** The registered job types, by name. */
  public List<String> jobTypes() {
    return types.all().stream().map(JobDescriptor::name).toList();
  }

  private Launcher launcherFor(QueueConfig queue) {
    return launchers.computeIfAbsent(
        queue.launcher(),
        name -> {
          Launcher registered = config.launchers().get(name);
          if (registered != null) {
            return registered;
          }
          Launchers.Selection s =
              Launchers.select(
                  name, config.environment(), config.clock(), config.ticker(), config.launchers());
          LOG.log(
              Level.INFO,
              "queue {0}: launcher {1} ({2})",
              queue.name(),
              s.launcher().name(),
              s.reason());
          return s.launcher();
        });
  }

  /**
   * Stops dispatching and closes the store. Runners already launched go on to their natural end and
   * record it themselves.
   */
  @Override
  public synchronized void close() {
    if (dispatcher != null) {
      dispatcher.close();
      dispatcher = null;
    }
    synchronized (launchers) {
      launchers.values().forEach(Launcher::close);
      launchers.clear();
    }
    store.close();
  }
}
