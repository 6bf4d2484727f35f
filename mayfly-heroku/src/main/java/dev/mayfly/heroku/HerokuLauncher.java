package dev.mayfly.heroku;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mayfly.internal.jobs.Json;
import dev.mayfly.internal.time.SystemTime;
import dev.mayfly.launch.LaunchException;
import dev.mayfly.launch.LaunchRequest;
import dev.mayfly.launch.Launcher;
import dev.mayfly.launch.RunnerExit;
import dev.mayfly.launch.RunnerHandle;
import dev.mayfly.protocol.DatabaseUrl;
import java.lang.System.Logger.Level;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Runners as Heroku one-off dynos, created with {@code POST /apps/{app}/dynos}.
 *
 * <p>Detached by default: the runner reports to the database, so nothing has to watch a dyno, and a
 * dyno that vanishes (daily cycling, its time-to-live, a crash) is found by the missing heartbeats,
 * its job requeued. Its output is followed through a log session into the store, with its exit
 * status from the platform's last lines about it; with attach on, over Rendezvous instead (see
 * {@link HerokuConfig.Output}). Following a dyno is {@link DynoOutputs}' work.
 *
 * <p>Limits are respected before they are hit: calls spend from a copy of the account's budget
 * (corrected by {@code RateLimit-Remaining}); a {@code 429} or an empty budget, and {@code 422
 * cannot_run_above_limit}, are "at capacity" (jobs wait, the dispatcher backs off), and the
 * concurrent-dyno limit Heroku names is remembered and kept below from then on.
 */
final class HerokuLauncher implements Launcher {
  /** A one-off dyno's states before it ends. */
  private static final Set<String> ALIVE_STATES = Set.of("starting", "up", "idle");

  private static final System.Logger LOG = System.getLogger("dev.mayfly.heroku");

  /**
   * Where a runner reads its store ({@code RunnerEnvironment.DATABASE_URL}), falling back to {@code
   * DATABASE_URL} as {@code RunnerEnvironment.decode} does.
   */
  private static final String RUNNER_DATABASE = "MAYFLY_DATABASE_URL";

  /** Heroku's maximum {@code time_to_live}. */
  static final long MAX_TIME_TO_LIVE_SECONDS = 86_400;

  private final HerokuConfig config;
  private final HerokuApi api;
  private final Map<String, Integer> learnedLimits = new ConcurrentHashMap<>();

  /**
   * By dyno id, for messages, while the dyno may still be asked about: the latest 1,000 launches (a
   * dispatcher asks only until a runner reports in).
   */
  private final Map<String, Launched> launched =
      java.util.Collections.synchronizedMap(
          new java.util.LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Launched> eldest) {
              return size() > 1_000;
            }
          });

  /** A dyno's name ({@code run.1234}) and the command it was given (a Procfile type, usually). */
  private record Launched(String name, String command) {}

  private final @Nullable RendezvousClient rendezvous;
  private final DynoOutputs outputs;
  private final java.time.InstantSource clock;
  private final LongSupplier ticker;

  /** A launcher measuring intervals with the machine's ticker. */
  public HerokuLauncher(HerokuConfig config, java.time.InstantSource clock) {
    this(config, clock, SystemTime.ticker());
  }

  /**
   * @param clock the time runner exits are reported at
   * @param ticker nanoseconds, for the API's request budget, how long a log stream lasted and how
   *     long the app's config vars are trusted
   */
  public HerokuLauncher(HerokuConfig config, java.time.InstantSource clock, LongSupplier ticker) {
    this.config = config;
    this.clock = clock;
    this.ticker = ticker;
    this.api = new HerokuApi(config, new TokenBucket(ticker));
    this.outputs = new DynoOutputs(api, config.app(), clock, ticker);
    try {
      this.rendezvous = config.attach() ? new RendezvousClient(config.trustedCert()) : null;
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  @Override
  public String name() {
    return "heroku";
  }

  @Override
  public RunnerHandle launch(LaunchRequest request) throws LaunchException {
    ObjectNode body = requestBody(request);
    try {
      checkRunnersSeeTheStore(request.env().get(RUNNER_DATABASE));
      adaptTo(platform(), request, body);
      JsonNode dyno = api.createDyno(body);
      String id = dyno.path("id").asText();
      launched.put(
          id,
          new Launched(
              dyno.path("name").asText(id),
              request.command() != null ? request.command() : config.command()));
      CompletableFuture<RunnerExit> exit = new CompletableFuture<>();
      String attachUrl = dyno.path("attach_url").asText("");
      RendezvousClient client = rendezvous;
      if (client != null && !attachUrl.isEmpty()) {
        Thread.ofVirtual()
            .name("mayfly-attach-" + request.runnerId())
            .start(() -> outputs.attached(client, attachUrl, request, exit));
      } else if (config.output() == HerokuConfig.Output.LOGS) {
        String name = dyno.path("name").asText(id);
        boolean fir = platform().fir(); // read above, before the dyno was created
        Thread.ofVirtual()
            .name("mayfly-log-" + request.runnerId())
            .start(
                () ->
                    outputs.logs(
                        id,
                        name,
                        fir,
                        request,
                        exit,
                        (status, more) -> endedDetail(id, name, status, more)));
      }
      return new RunnerHandle(id, exit);
    } catch (HerokuException e) {
      if (e.limit() > 0) {
        learn(request.size(), e.limit());
      }
      if (e.needsConfiguration()) {
        throw LaunchException.needsConfiguration(
            "heroku launcher: the Platform API refused app "
                + config.app()
                + " ("
                + e.getMessage()
                + "); "
                + e.whatToFix()
                + ". Launching pauses for minutes at a time until that is fixed; the jobs stay"
                + " queued",
            e);
      }
      throw new LaunchException(
          "heroku launcher could not start runner "
              + request.runnerId()
              + " (app "
              + config.app()
              + ", size "
              + request.size()
              + ", command '"
              + body.path("command").asText()
              + "'): "
              + e.getMessage()
              + (e.atCapacity()
                  ? "; at capacity, the jobs stay queued"
                  : "; the jobs stay queued and the launch will be retried"),
          e.atCapacity(),
          e);
    }
  }

  /** How a followed dyno ended; with what to check unless it exited cleanly. */
  private String endedDetail(String id, String name, @Nullable Integer status, String more) {
    String how =
        (status == null ? "" : "Process exited with status " + status)
            + (status == null || more.isEmpty() ? "" : "; ")
            + more;
    Launched l = launched.remove(id);
    if (status != null && status == 0) {
      return "dyno " + name + " ended (" + how + ")";
    }
    return ended(l != null ? l : new Launched(name, config.command()), how).detail();
  }

  /**
   * A dyno's runner opens the database in the app's {@code MAYFLY_DATABASE_URL} or {@code
   * DATABASE_URL} config var, not the one this dispatcher was given: when they differ, every runner
   * would report to a database the dispatcher never reads, so nothing is launched and the message
   * says which variable to set. Read from Heroku, at most once a minute.
   */
  private void checkRunnersSeeTheStore(@Nullable String dispatcherDatabase)
      throws HerokuException, LaunchException {
    if (dispatcherDatabase == null) {
      return; // a launch request not made by a dispatcher: nothing to compare
    }
    String mine = DatabaseUrl.redact(dispatcherDatabase);
    if (config.onDyno() && dispatcherDatabase.startsWith("jdbc:sqlite:")) {
      throw LaunchException.needsConfiguration(
          "heroku launcher: this dispatcher's store is the SQLite file "
              + mine
              + ", and a dyno's file system is its own: runners on other dynos cannot see it. Use"
              + " Heroku Postgres ('heroku addons:create heroku-postgresql --app "
              + config.app()
              + "'), whose DATABASE_URL Mayfly then uses",
          null);
    }
    Map<String, String> vars = configVars();
    String name = vars.containsKey(RUNNER_DATABASE) ? RUNNER_DATABASE : "DATABASE_URL";
    String theirs = vars.get(name);
    if (theirs == null) {
      throw LaunchException.needsConfiguration(
          "heroku launcher: runners on dynos read their store from the app's MAYFLY_DATABASE_URL"
              + " or DATABASE_URL config var, and app "
              + config.app()
              + " has neither; set it to this dispatcher's database ('heroku config:set"
              + " MAYFLY_DATABASE_URL=... --app "
              + config.app()
              + "'; it is "
              + mine
              + ")",
          null);
    }
    if (!DatabaseUrl.sameDatabase(dispatcherDatabase, theirs)) {
      throw LaunchException.needsConfiguration(
          "heroku launcher: runners on dynos would open "
              + DatabaseUrl.redact(theirs)
              + " (the app's "
              + name
              + " config var), but this dispatcher uses "
              + mine
              + "; set "
              + RUNNER_DATABASE
              + " on app "
              + config.app()
              + " to the dispatcher's database, or start Mayfly with the app's",
          null);
    }
  }

  /** What kind of app this is, read once: it does not change while the app runs. */
  record Platform(boolean fir, String tier) {
    static Platform of(JsonNode app) {
      boolean fir =
          app.path("generation").path("name").asText("").equals("fir")
              || app.path("stack").path("name").asText("").equals("cnb");
      return new Platform(fir, app.path("process_tier").asText("").toLowerCase(Locale.ROOT));
    }

    /** Tiers with one size of their own (Eco, Basic; Free and Hobby before them). */
    @Nullable String onlySize() {
      return switch (tier) {
        case "eco", "free" -> "eco";
        case "basic", "hobby" -> "basic";
        default -> null;
      };
    }
  }

  private volatile @Nullable Platform platform;

  private Platform platform() throws HerokuException {
    Platform p = platform;
    if (p == null) {
      p = Platform.of(api.app());
      platform = p;
      LOG.log(
          Level.INFO,
          "Heroku app {0}: {1} generation, {2} tier",
          config.app(),
          p.fir() ? "Fir" : "Cedar",
          p.tier().isEmpty() ? "unknown" : p.tier());
    }
    return p;
  }

  /**
   * Fir (Cloud Native Buildpacks) apps start a process type through the {@code launcher} and name
   * their sizes {@code dyno-*}; Eco and Basic apps have one size each. A size the app cannot have
   * is a configuration error naming the ones it can.
   */
  private void adaptTo(Platform p, LaunchRequest request, ObjectNode body) throws LaunchException {
    String size = request.size().toLowerCase(Locale.ROOT);
    String only = p.onlySize();
    String problem = null;
    if (p.fir() && !size.startsWith("dyno-")) {
      problem =
          "is a Fir app, whose sizes are named dyno-1c-0.5gb, dyno-2c-1gb, dyno-1c-4gb, dyno-2c-4gb"
              + " and so on";
    } else if (!p.fir() && size.startsWith("dyno-")) {
      problem =
          "is a Cedar app: dyno-* sizes are Fir's; use standard-1x, standard-2x,"
              + " performance-m and so on";
    } else if (only != null && !size.equals(only)) {
      problem = "is on the " + p.tier() + " tier, whose one-off dynos are all size " + only;
    }
    if (problem != null) {
      throw LaunchException.needsConfiguration(
          "heroku launcher: queue "
              + request.queue()
              + " asks for size "
              + request.size()
              + ", but app "
              + config.app()
              + " "
              + problem
              + "; set queue."
              + request.queue()
              + ".size",
          null);
    }
    if (p.fir()) {
      String command = body.path("command").asText();
      if (!command.startsWith("launcher ")) {
        body.put("command", "launcher " + command); // as Heroku's CLI does for Fir apps
      }
    }
  }

  private Map<String, String> configVars() throws HerokuException {
    long now = ticker.getAsLong();
    VarsRead r = varsRead;
    if (r == null || now - r.atNanos() > VARS_TTL_NANOS) {
      r = new VarsRead(api.configVars(), now);
      varsRead = r;
    }
    return r.vars();
  }

  private static final long VARS_TTL_NANOS = java.util.concurrent.TimeUnit.MINUTES.toNanos(1);

  private record VarsRead(Map<String, String> vars, long atNanos) {}

  private volatile @Nullable VarsRead varsRead;

  /** The documented dyno-create body: command, env, size, time_to_live, type, attach. */
  ObjectNode requestBody(LaunchRequest request) {
    ObjectNode body = Json.mapper().createObjectNode();
    String command = request.command() != null ? request.command() : config.command();
    body.put("command", config.attach() ? RendezvousClient.withExitStatus(command) : command);
    ObjectNode env = body.putObject("env");
    request.env().entrySet().stream()
        // the app's config vars already hold the database URL; no secret travels in the request
        .filter(e -> !e.getKey().equals(RUNNER_DATABASE))
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> env.put(e.getKey(), e.getValue()));
    body.put("size", request.size());
    body.put(
        "time_to_live",
        Math.max(1, Math.min(MAX_TIME_TO_LIVE_SECONDS, request.timeToLive().toSeconds())));
    body.put(
        "type", "run"); // what Heroku's docs and CLI use for one-off dynos; 'heroku ps' lists them
    body.put("attach", config.attach());
    if (config.attach()) {
      body.put("force_no_tty", true); // plain LF lines, no echo of stdin
    }
    return body;
  }

  private void learn(String size, int limit) {
    String key = size.toLowerCase(Locale.ROOT);
    Integer before = learnedLimits.put(key, limit);
    if (before == null || before != limit) {
      LOG.log(
          Level.WARNING,
          "Heroku allows {0} concurrent {1} dynos for app {2}; Mayfly will keep below that",
          limit,
          size,
          config.app());
    }
  }

  @Override
  public OptionalInt capacity(String size) {
    if (size == null) {
      return OptionalInt.empty();
    }
    String s = size.toLowerCase(Locale.ROOT);
    Integer learned = learnedLimits.get(s);
    int documented = documentedLimit(s);
    return OptionalInt.of(learned == null ? documented : Math.min(learned, documented));
  }

  /**
   * Heroku's documented concurrent one-off limits: one Eco dyno, five Performance, Private or
   * Shield, fifty otherwise; what Heroku says in a refusal is learned on top.
   */
  static int documentedLimit(String size) {
    if (size.equals("eco")) {
      return 1;
    }
    if (size.startsWith("performance") || size.startsWith("private") || size.startsWith("shield")) {
      return 5;
    }
    return 50;
  }

  @Override
  public void stop(String platformId) {
    launched.remove(platformId);
    try {
      api.stopDyno(platformId);
    } catch (HerokuException e) {
      LOG.log(Level.WARNING, "stopping dyno {0} failed: {1}", platformId, e.getMessage());
    }
  }

  @Override
  public Optional<RunnerExit> exited(String platformId) {
    Launched l = launched.getOrDefault(platformId, new Launched(platformId, config.command()));
    try {
      // Heroku keeps no record of a one-off dyno once it has ended.
      String state = api.dyno(platformId).map(d -> d.path("state").asText()).orElse(null);
      if (state != null && ALIVE_STATES.contains(state)) {
        return Optional.empty();
      }
      launched.remove(platformId);
      return Optional.of(ended(l, state == null ? "no longer listed" : "state " + state));
    } catch (HerokuException e) {
      return Optional.empty();
    }
  }

  private RunnerExit ended(Launched dyno, String how) {
    return new RunnerExit(
        null,
        clock.instant(),
        "dyno "
            + dyno.name()
            + " ended ("
            + how
            + "); check that '"
            + dyno.command()
            + "' (a Procfile process type, or a command) starts a Mayfly runner, and read"
            + " 'heroku logs --app "
            + config.app()
            + " --dyno "
            + dyno.name()
            + "'");
  }

  @Override
  public void close() {
    outputs.close();
    api.close();
  }
}
