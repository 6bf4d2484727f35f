package dev.mayfly;

import dev.mayfly.api.EnqueueOptions;
import dev.mayfly.api.Job;
import dev.mayfly.cost.PriceTable;
import dev.mayfly.internal.jobs.JobTypes;
import dev.mayfly.internal.time.SystemTime;
import dev.mayfly.launch.Launcher;
import dev.mayfly.protocol.DatabaseUrl;
import dev.mayfly.protocol.RunnerSettings;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Everything Mayfly is configured with, validated when built and immutable afterwards. Build one
 * with {@link #builder()}; {@link #describe()} is what gets logged at start.
 *
 * @param databaseUrl the store, normalised (for SQLite, an absolute file path)
 * @param defaults settings for every queue not listed in {@code queues}
 * @param schedules recurring jobs, by name (see {@link Schedule}); every job type they name is
 *     among {@code jobs}
 * @param tick how often the dispatcher looks for ready work when nothing wakes it sooner
 * @param leaseTimeout a running job whose runner has not renewed its lease for this long goes back
 *     to the queue; a runner silent this long is declared lost
 * @param launchTimeout a runner launched this long ago that has not reported in is declared lost (a
 *     Kubernetes pod may wait minutes for a node; early deaths are known sooner from the launcher)
 * @param heartbeatInterval how often runners renew their leases
 * @param runnerPoll how often an idle runner looks for new work
 * @param retention finished jobs (and exited runners) older than this are deleted, hourly
 * @param launchers launchers registered by name in addition to the built-ins
 * @param environment where launcher selection looks for platform credentials
 * @param clock the time of day: every instant Mayfly records, and every deadline it compares; the
 *     machine's unless a test sets one. The dispatcher, the launchers chosen from configuration,
 *     in-process runners and the meters read time only from this and {@code ticker}
 * @param ticker nanoseconds from a monotonic source, for durations a process measures on itself
 *     (how long a launch took, how long a runner's jobs run); {@code System::nanoTime} unless a
 *     test sets one
 * @param prices what runners cost, for cost accounting
 * @param modules settings of optional modules by key ({@code dashboard.*}), kept as given for the
 *     module to validate
 * @param transaction the connection of the transaction the calling thread is in, on the store's
 *     database, or null when it is in none: jobs enqueued meanwhile are written through it, so they
 *     exist only if that transaction commits (the Spring Boot starter gives Spring's)
 * @param output how much of what runners print and jobs log is kept ({@link OutputLimits})
 */
public record MayflyConfig(
    String databaseUrl,
    List<Class<? extends Job<?>>> jobs,
    QueueConfig defaults,
    Map<String, QueueConfig> queues,
    Map<String, Schedule> schedules,
    Duration tick,
    Duration leaseTimeout,
    Duration launchTimeout,
    Duration heartbeatInterval,
    Duration runnerPoll,
    Duration retention,
    Map<String, Launcher> launchers,
    Map<String, String> environment,
    InstantSource clock,
    LongSupplier ticker,
    PriceTable prices,
    Map<String, String> modules,
    Supplier<java.sql.@Nullable Connection> transaction,
    OutputLimits output) {

  /**
   * Checks every setting, whether it came through {@link #builder()} or was written out by hand: a
   * configuration that exists is one Mayfly can run.
   *
   * @throws IllegalArgumentException naming the setting and what to change
   */
  public MayflyConfig {
    databaseUrl = DatabaseUrl.normalize(databaseUrl);
    jobs = List.copyOf(required(jobs, "jobs"));
    JobTypes types = JobRegistry.of(jobs); // validates names, argument records, clashes
    required(defaults, "defaults");
    required(transaction, "transaction");
    queues = Map.copyOf(required(queues, "queues"));
    schedules = Map.copyOf(required(schedules, "schedules"));
    Map<String, QueueConfig> namedQueues = queues;
    QueueConfig queueDefaults = defaults;
    schedules.forEach(
        (name, schedule) -> {
          if (!name.equals(schedule.name())) {
            throw new IllegalArgumentException(
                "schedules: '" + name + "' maps to schedule '" + schedule.name() + "'");
          }
          var type = types.find(schedule.type());
          if (type.isEmpty()) {
            throw new IllegalArgumentException(
                "schedule '"
                    + name
                    + "': job type '"
                    + schedule.type()
                    + "' is not among the configured jobs ("
                    + types.all().stream()
                        .map(d -> d.name())
                        .sorted()
                        .collect(java.util.stream.Collectors.joining(", "))
                    + "); add its class to jobs");
          }
          try {
            dev.mayfly.internal.jobs.Json.mapper()
                .readValue(schedule.args(), type.get().argsType());
          } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(
                "schedule '"
                    + name
                    + "': args "
                    + schedule.args()
                    + " do not fit job type '"
                    + schedule.type()
                    + "' ("
                    + type.get().argsType().getSimpleName()
                    + "): "
                    + e.getOriginalMessage(),
                e);
          }
          String queueName =
              schedule.queue() != null ? schedule.queue() : EnqueueOptions.DEFAULT_QUEUE;
          QueueConfig queue =
              namedQueues.containsKey(queueName)
                  ? namedQueues.get(queueName)
                  : queueDefaults.named(queueName);
          String misfit = JobMaker.misfit(type.get().name(), type.get().timeout(), queue);
          if (misfit != null) {
            throw new IllegalArgumentException(
                "schedule '" + name + "' would fire jobs no runner may take: " + misfit);
          }
        });
    positive(tick, "tick");
    positive(runnerPoll, "runnerPoll");
    positive(heartbeatInterval, "heartbeatInterval");
    positive(leaseTimeout, "leaseTimeout");
    positive(launchTimeout, "launchTimeout");
    positive(retention, "retention");
    if (leaseTimeout.compareTo(heartbeatInterval.multipliedBy(2)) < 0) {
      throw new IllegalArgumentException(
          "leaseTimeout ("
              + leaseTimeout
              + ") must be at least twice heartbeatInterval ("
              + heartbeatInterval
              + "), or one late heartbeat would requeue running jobs");
    }
    launchers = Map.copyOf(required(launchers, "launchers"));
    launchers.forEach(
        (name, l) -> {
          if (!name.equals(l.name())) {
            throw new IllegalArgumentException(
                "launchers: '" + name + "' maps to a launcher named '" + l.name() + "'");
          }
        });
    List<QueueConfig> all = new ArrayList<>();
    queues.forEach(
        (name, q) -> {
          if (!name.equals(q.name())) {
            throw new IllegalArgumentException(
                "queues: '" + name + "' maps to the settings of queue '" + q.name() + "'");
          }
          all.add(q);
        });
    all.add(defaults);
    for (QueueConfig q : all) {
      if (!launchers.containsKey(q.launcher()) && !Launchers.isKnown(q.launcher())) {
        throw new IllegalArgumentException(
            "queue '"
                + q.name()
                + "': unknown launcher '"
                + q.launcher()
                + "'; use auto, local, inprocess"
                + (launchers.isEmpty() ? "" : " or " + String.join(", ", launchers.keySet())));
      }
    }
    environment = Map.copyOf(required(environment, "environment"));
    required(clock, "clock");
    required(ticker, "ticker");
    required(prices, "prices");
    modules = Map.copyOf(required(modules, "modules"));
    required(output, "output");
  }

  private static <T> T required(T value, String name) {
    if (value == null) {
      throw new IllegalArgumentException(name + " must be given, was null");
    }
    return value;
  }

  private static void positive(Duration d, String name) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, was " + d);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The settings of a queue: its own if configured, else the defaults under its name. */
  public QueueConfig queue(String name) {
    QueueConfig q = queues.get(name);
    return q != null ? q : defaults.named(name);
  }

  /**
   * What a runner of {@code queue} launched at {@code now} is told: this configuration's database,
   * leases and output limits, and the queue's own settings, with {@code idle} its idle wait.
   */
  RunnerSettings runnerSettings(
      String runnerId, QueueConfig queue, String encodedTypes, Duration idle, Instant now) {
    return new RunnerSettings(
        runnerId,
        queue.name(),
        databaseUrl,
        encodedTypes,
        queue.jobsPerRunner(),
        idle,
        now.plus(queue.timeToLive()),
        runnerPoll,
        leaseTimeout,
        heartbeatInterval,
        queue.claimBatch(),
        true,
        output.maxLine(),
        output.maxAttempt());
  }

  /** One line per setting, for the log; no secrets. */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    sb.append("database ").append(DatabaseUrl.redact(databaseUrl)).append('\n');
    sb.append("jobs ").append(JobRegistry.of(jobs).encode()).append('\n');
    sb.append("queues (default) ").append(defaults).append('\n');
    new TreeMap<>(queues).values().forEach(q -> sb.append("queue ").append(q).append('\n'));
    new TreeMap<>(schedules)
        .values()
        .forEach(
            s ->
                sb.append("schedule ")
                    .append(s.name())
                    .append(" '")
                    .append(s.cron())
                    .append("' ")
                    .append(s.zone())
                    .append(" -> ")
                    .append(s.type())
                    .append('\n'));
    sb.append("lease ")
        .append(leaseTimeout)
        .append(", launch timeout ")
        .append(launchTimeout)
        .append(", heartbeat ")
        .append(heartbeatInterval)
        .append(", tick ")
        .append(tick)
        .append(", retention ")
        .append(retention)
        .append('\n');
    sb.append(output).append('\n');
    sb.append("prices ").append(prices);
    return sb.toString();
  }

  /** Collects settings; {@link #build()} validates them all and says what to change. */
  public static final class Builder {
    /** The settings optional modules read from {@link #modules()}. */
    private static final java.util.regex.Pattern MODULE_KEYS =
        java.util.regex.Pattern.compile("dashboard\\.(bind|port|username|password|token)");

    private @Nullable String databaseUrl;
    private final List<Class<? extends Job<?>>> jobs = new ArrayList<>();
    private QueueConfig defaults = QueueConfig.defaults(EnqueueOptions.DEFAULT_QUEUE);
    private final Map<String, QueueConfig> queues = new LinkedHashMap<>();
    private final Map<String, Schedule> schedules = new LinkedHashMap<>();
    private Duration tick = Duration.ofMillis(200);
    private Duration leaseTimeout = Duration.ofSeconds(30);
    private Duration launchTimeout = Duration.ofMinutes(5);
    private Duration heartbeatInterval = Duration.ofSeconds(5);
    private Duration runnerPoll = Duration.ofMillis(100);
    private Duration retention = Duration.ofDays(7);
    private final Map<String, Launcher> launchers = new LinkedHashMap<>();
    private Map<String, String> environment = System.getenv();
    private InstantSource clock = SystemTime.clock();
    private LongSupplier ticker = SystemTime.ticker();
    private PriceTable prices = PriceTable.heroku();
    private final Map<String, String> modules = new TreeMap<>();
    private Supplier<java.sql.@Nullable Connection> transaction = () -> null;
    private OutputLimits output = OutputLimits.defaults();

    private Builder() {}

    /** How much of what runners print and jobs log is kept ({@link OutputLimits#defaults()}). */
    public Builder output(OutputLimits limits) {
      this.output = limits;
      return this;
    }

    /**
     * Where to find the calling thread's open transaction on the store's database: while it gives a
     * connection, enqueued jobs are written through it and exist only if that transaction commits.
     */
    public Builder transaction(Supplier<java.sql.@Nullable Connection> current) {
      this.transaction = current;
      return this;
    }

    /** What runners cost; Heroku's list prices by default. */
    public Builder prices(PriceTable p) {
      this.prices = p;
      return this;
    }

    /** A setting of an optional module, such as {@code dashboard.username}. */
    public Builder module(String key, String value) {
      if (!MODULE_KEYS.matcher(key).matches()) {
        throw new IllegalArgumentException(
            "unknown setting '" + key + "'; known: " + MODULE_KEYS.pattern().replace("\\", ""));
      }
      modules.put(key, value);
      return this;
    }

    /**
     * The store's URL: {@code jdbc:sqlite:PATH} or a file path; null means {@code
     * MAYFLY_DATABASE_URL}, then {@code DATABASE_URL}, then {@code .mayfly/mayfly.db}.
     */
    public Builder database(String url) {
      this.databaseUrl = url;
      return this;
    }

    @SafeVarargs
    public final Builder jobs(Class<? extends Job<?>>... classes) {
      jobs.addAll(List.of(classes));
      return this;
    }

    public Builder jobs(List<Class<? extends Job<?>>> classes) {
      jobs.addAll(classes);
      return this;
    }

    /** Settings for every queue without its own. */
    public Builder defaults(QueueConfig q) {
      this.defaults = q;
      return this;
    }

    public Builder queue(QueueConfig q) {
      queues.put(q.name(), q);
      return this;
    }

    /** A recurring job (see {@link Schedule}); one of the same name is replaced. */
    public Builder schedule(Schedule s) {
      schedules.put(s.name(), s);
      return this;
    }

    /**
     * A recurring job of {@code job} with {@code args} at each time {@code cron} names, in UTC, on
     * the default queue; the job class is added to the jobs. {@link #schedule(Schedule)} takes a
     * zone, a queue and the catch-up and overlap policies.
     */
    public <A extends Record> Builder schedule(
        String name, String cron, Class<? extends Job<A>> job, A args) {
      @SuppressWarnings("unchecked")
      Class<? extends Job<?>> jobClass = (Class<? extends Job<?>>) (Class<?>) job;
      if (!jobs.contains(jobClass)) {
        jobs.add(jobClass);
      }
      var type = JobTypes.of(List.of(jobClass)).byClass(jobClass);
      String json = JobTypes.of(List.of(jobClass)).toJson(type, args);
      return schedule(Schedule.of(name, cron, type.name(), json));
    }

    public Builder tick(Duration d) {
      this.tick = d;
      return this;
    }

    public Builder leaseTimeout(Duration d) {
      this.leaseTimeout = d;
      return this;
    }

    /** How long a launched runner may take to report in (default 5 minutes). */
    public Builder launchTimeout(Duration d) {
      this.launchTimeout = d;
      return this;
    }

    public Builder heartbeatInterval(Duration d) {
      this.heartbeatInterval = d;
      return this;
    }

    public Builder runnerPoll(Duration d) {
      this.runnerPoll = d;
      return this;
    }

    /** How long finished jobs are kept (default 7 days). */
    public Builder retention(Duration d) {
      this.retention = d;
      return this;
    }

    /** Makes a launcher available to queues under its {@link Launcher#name()}. */
    public Builder launcher(Launcher l) {
      launchers.put(l.name(), l);
      return this;
    }

    public Builder environment(Map<String, String> env) {
      this.environment = env;
      return this;
    }

    public Builder clock(InstantSource c) {
      this.clock = c;
      return this;
    }

    /** The monotonic source of nanoseconds durations are measured with; for tests. */
    public Builder ticker(LongSupplier nanos) {
      this.ticker = nanos;
      return this;
    }

    /**
     * Applies a configuration file's settings (see {@code docs/configuration.md}):
     *
     * <pre>
     * database = jdbc:sqlite:.mayfly/mayfly.db
     * jobs = com.example.SendMail, com.example.Resize
     * defaults.max-runners = 4
     * queue.mail.jobs-per-runner = 20
     * </pre>
     *
     * @param source named in error messages
     */
    public Builder properties(Properties p, String source) {
      Map<String, Map<String, String>> perQueue = new TreeMap<>();
      Map<String, Map<String, String>> perSchedule = new TreeMap<>();
      Map<String, String> outputSettings = new TreeMap<>();
      for (String key : new java.util.TreeSet<>(p.stringPropertyNames())) {
        String value = p.getProperty(key).trim();
        if (key.equals("database")) {
          if (databaseUrl == null) {
            databaseUrl = value;
          }
        } else if (key.equals("jobs")) {
          for (String c : value.split("[,\\s]+")) {
            if (!c.isBlank()) {
              jobs.add(loadJob(c, source, key));
            }
          }
        } else if (key.startsWith("defaults.")) {
          defaults =
              QueueSettings.apply(
                  defaults, key.substring("defaults.".length()), value, source, key);
        } else if (key.startsWith("queue.") && key.indexOf('.', 6) > 6) {
          String queue = key.substring(6, key.indexOf('.', 6));
          perQueue.computeIfAbsent(queue, q -> new LinkedHashMap<>()).put(key, value);
        } else if (key.startsWith("schedule.") && key.indexOf('.', 9) > 9) {
          String schedule = key.substring(9, key.indexOf('.', 9));
          perSchedule
              .computeIfAbsent(schedule, n -> new LinkedHashMap<>())
              .put(key.substring(key.indexOf('.', 9) + 1), value);
        } else if (key.equals("lease-timeout")) {
          leaseTimeout = QueueSettings.duration(value, source, key);
        } else if (key.equals("launch-timeout")) {
          launchTimeout = QueueSettings.duration(value, source, key);
        } else if (key.equals("heartbeat-interval")) {
          heartbeatInterval = QueueSettings.duration(value, source, key);
        } else if (key.equals("retention")) {
          retention = QueueSettings.duration(value, source, key);
        } else if (key.startsWith("price.") && key.indexOf('.', 6) > 6) {
          String launcher = key.substring(6, key.indexOf('.', 6));
          String size = key.substring(key.indexOf('.', 6) + 1);
          try {
            prices = prices.with(launcher, size, Double.parseDouble(value));
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                source
                    + ": "
                    + key
                    + " must be dollars per hour, such as 0.0347; was '"
                    + value
                    + "'");
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
          }
        } else if (OutputLimits.SETTINGS.contains(key)) {
          outputSettings.put(key, value);
        } else if (MODULE_KEYS.matcher(key).matches()) {
          modules.put(key, value);
        } else {
          throw new IllegalArgumentException(
              source
                  + ": unknown setting '"
                  + key
                  + "'; known: database, jobs, lease-timeout, launch-timeout, heartbeat-interval,"
                  + " retention, "
                  + String.join(", ", OutputLimits.SETTINGS)
                  + ", price.<launcher>.<size>, "
                  + MODULE_KEYS.pattern().replace("\\", "")
                  + ", defaults.<setting>, queue.<name>.<setting> where <setting> is one of "
                  + QueueSettings.NAMES
                  + ", schedule.<name>.<setting> where <setting> is one of "
                  + String.join(", ", Schedule.SETTINGS));
        }
      }
      if (!outputSettings.isEmpty()) { // together: each limit is checked against the others
        output = output.with(outputSettings, source);
      }
      // Per-queue settings start from the (now complete) defaults.
      perQueue.forEach(
          (queue, settings) -> {
            QueueConfig q = queues.getOrDefault(queue, null);
            if (q == null) {
              q = QueueSettings.named(defaults, queue, source);
            }
            for (var e : settings.entrySet()) {
              String setting = e.getKey().substring(("queue." + queue + ".").length());
              q = QueueSettings.apply(q, setting, e.getValue(), source, e.getKey());
            }
            queues.put(queue, q);
          });
      perSchedule.forEach(
          (name, settings) -> schedules.put(name, Schedule.fromSettings(name, settings, source)));
      return this;
    }

    private static Class<? extends Job<?>> loadJob(String className, String source, String key) {
      try {
        return JobTypes.loadJobClass(className, Thread.currentThread().getContextClassLoader());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(source + ": " + key + ": " + e.getMessage(), e);
      }
    }

    /**
     * The configuration, checked by {@link MayflyConfig}'s constructor; a database left unset is
     * taken from the environment here.
     */
    public MayflyConfig build() {
      String url = databaseUrl;
      if ((url == null || url.isBlank()) && environment != null) {
        url = environment.getOrDefault("MAYFLY_DATABASE_URL", environment.get("DATABASE_URL"));
      }
      return new MayflyConfig(
          url == null ? "" : url, // "" is the default SQLite file
          jobs,
          defaults,
          queues,
          schedules,
          tick,
          leaseTimeout,
          launchTimeout,
          heartbeatInterval,
          runnerPoll,
          retention,
          launchers,
          environment,
          clock,
          ticker,
          prices,
          modules,
          transaction,
          output);
    }
  }
}
