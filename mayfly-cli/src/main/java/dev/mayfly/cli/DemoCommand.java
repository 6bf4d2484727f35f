package dev.mayfly.cli;

import dev.mayfly.Mayfly;
import dev.mayfly.MayflyConfig;
import dev.mayfly.api.AttemptInfo;
import dev.mayfly.api.EnqueueOptions;
import dev.mayfly.api.JobFilter;
import dev.mayfly.api.JobInfo;
import dev.mayfly.api.JobState;
import dev.mayfly.api.RunnerFilter;
import dev.mayfly.api.RunnerInfo;
import dev.mayfly.api.RunnerState;
import dev.mayfly.cli.demo.AnalyseCommit;
import dev.mayfly.cli.demo.DemoRepository;
import dev.mayfly.dashboard.Dashboard;
import dev.mayfly.internal.Durations;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The original scenario, for real: one job per commit of a git repository, each spell-checking its
 * commit, run in one-off local processes launched on demand, with live progress and a summary of
 * what the runners cost against the time jobs were busy.
 */
@Command(
    name = "demo",
    description =
        "Spell-check the recent commits of this git checkout (or a bundled history), one job per"
            + " commit, in one-off processes.")
final class DemoCommand implements Callable<Integer> {
  static final String QUEUE = "commits";

  @Mixin CommonOptions common;

  @Mixin DashboardOptions dashboardOptions;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--jobs",
      paramLabel = "N",
      defaultValue = "30",
      description = "Analyse the N most recent commits (default: ${DEFAULT-VALUE})")
  int jobs;

  @Option(
      names = "--max-runners",
      paramLabel = "N",
      description = "Runners alive at once (default: 4, or the configuration's)")
  @Nullable Integer maxRunners;

  @Option(
      names = "--jobs-per-runner",
      paramLabel = "N",
      description = "Jobs one runner takes before exiting (default: 10, or the configuration's)")
  @Nullable Integer jobsPerRunner;

  @Option(
      names = "--queue",
      paramLabel = "Q",
      description = "Apply --max-runners/--jobs-per-runner to this queue only")
  @Nullable String queueOverride;

  @Option(
      names = "--repo",
      paramLabel = "DIR",
      description = "Analyse this repository instead of the current checkout")
  @Nullable Path repo;

  @Option(
      names = "--exit",
      description = "Return when every job has finished; exit code 0 only if all succeeded")
  boolean exit;

  @Override
  public Integer call() throws Exception {
    if (jobs < 1 || jobs > 10_000) {
      throw new IllegalArgumentException("--jobs must be between 1 and 10000, was " + jobs);
    }
    PrintWriter out = spec.commandLine().getOut();
    MayflyConfig.Builder builder = common.builder();
    MayflyConfig config =
        CommonOptions.withOverrides(builder, queueOverride, maxRunners, jobsPerRunner);
    // The bundled history is written next to the SQLite file, or under ./.mayfly otherwise.
    String db = config.databaseUrl();
    Path beside =
        db.startsWith("jdbc:sqlite:")
            ? Path.of(db.substring("jdbc:sqlite:".length())).getParent() // absolute: has one
            : null;
    Path bundled =
        (beside != null ? beside : Path.of(".mayfly").toAbsolutePath()).resolve("demo-repo");
    DemoRepository.Picked picked =
        DemoRepository.pick(repo, Path.of("").toAbsolutePath(), bundled, jobs);
    if (picked.commits().isEmpty()) {
      throw new IllegalArgumentException(picked.repo() + " has no commits to analyse");
    }

    try (Mayfly mayfly = Mayfly.create(config);
        Dashboard dashboard = dashboardOptions.start(mayfly, true)) {
      var queue = config.queue(QUEUE);
      out.printf(
          "mayfly demo: spell-checking %d commit(s) of %s%s%n",
          picked.commits().size(),
          picked.repo(),
          picked.bundled() ? " (bundled history: not inside a git checkout)" : "");
      out.printf(
          "queue %s: up to %d runner(s) at once, %s, launcher %s; store %s%n",
          QUEUE,
          queue.maxRunners(),
          queue.jobsPerRunner() > 0
              ? queue.jobsPerRunner() + " job(s) per runner"
              : "runners drain the queue",
          queue.launcher(),
          dev.mayfly.protocol.DatabaseUrl.redact(config.databaseUrl()));
      out.printf(
          "this process is pid %d; every job runs in another process%n",
          ProcessHandle.current().pid());
      if (dashboard != null) {
        out.printf(
            "dashboard: %s  (runners and what they cost: %scost)%n",
            dashboard.url(), dashboard.url());
      }
      out.flush();

      Instant started = config.clock().instant();
      // A launcher refused for its configuration, or runners that open another database: the
      // demo's jobs would wait for a person, so the demo says so instead of waiting for ever.
      java.util.concurrent.atomic.AtomicReference<@Nullable String> misconfigured =
          new java.util.concurrent.atomic.AtomicReference<>();
      mayfly.addListener(
          new dev.mayfly.DispatchListener() {
            @Override
            public void misconfigured(String queue, String launcher, String why) {
              misconfigured.compareAndSet(null, why);
            }
          });
      mayfly.start();
      List<Long> ids = new ArrayList<>();
      for (String commit : picked.commits()) {
        ids.add(
            mayfly.enqueue(
                AnalyseCommit.class,
                new AnalyseCommit.Args(picked.repo().toString(), commit),
                EnqueueOptions.defaults().queue(QUEUE)));
      }
      Progress progress = new Progress(mayfly, ids, started, out);
      if (!progress.awaitFinished(exit ? misconfigured::get : () -> null)) {
        spec.commandLine()
            .getErr()
            .println(
                "mayfly demo: no runner can start, so its jobs stay queued: "
                    + misconfigured.get());
        return 1;
      }
      progress.awaitRunnersExited(queue.idleMax().plus(Duration.ofSeconds(15)));
      Summary summary = progress.summary();
      summary.print(out);
      if (exit) {
        return summary.allSucceeded() ? 0 : 1;
      }
      out.println();
      if (dashboard != null) {
        out.println("dashboard: " + dashboard.url() + " (cost page: " + dashboard.url() + "cost)");
      }
      out.println(
          "The dispatcher keeps running: try `./mayfly enqueue sleep --args '{\"millis\": 1000}'"
              + " --count 20` in another terminal. Ctrl-C to stop.");
      out.flush();
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown, "mayfly-demo-stop"));
      stopped.await();
      return 0;
    }
  }

  /** Polls the store for the demo's jobs and runners and prints a live status line. */
  private static final class Progress {
    private final Mayfly mayfly;
    private final List<Long> ids;
    private final Instant started;
    private final PrintWriter out;
    private final boolean tty = System.console() != null;
    private String last = "";

    Progress(Mayfly mayfly, List<Long> ids, Instant started, PrintWriter out) {
      this.mayfly = mayfly;
      this.ids = ids;
      this.started = started;
      this.out = out;
    }

    /**
     * Waits for every job to finish; false, at once, if {@code stop} says why they cannot (null
     * while they can).
     */
    boolean awaitFinished(java.util.function.Supplier<@Nullable String> stop)
        throws InterruptedException {
      long lastPrint = 0;
      while (true) {
        if (stop.get() != null) {
          if (tty) {
            out.println();
          }
          return false;
        }
        Map<JobState, Integer> counts = counts();
        int finished = 0;
        for (var e : counts.entrySet()) {
          if (e.getKey().isFinished()) {
            finished += e.getValue();
          }
        }
        long alive = runners().stream().filter(r -> r.state().isAlive()).count();
        String line =
            String.format(
                Locale.ROOT,
                "%6s  runners alive %d | queued %d  running %d  done %d  failed %d",
                Durations.format(Duration.between(started, mayfly.config().clock().instant())),
                alive,
                counts.getOrDefault(JobState.QUEUED, 0)
                    + counts.getOrDefault(JobState.SCHEDULED, 0),
                counts.getOrDefault(JobState.RUNNING, 0),
                counts.getOrDefault(JobState.SUCCEEDED, 0),
                finished - counts.getOrDefault(JobState.SUCCEEDED, 0));
        long now = mayfly.config().ticker().getAsLong();
        boolean changed = !line.substring(8).equals(last);
        if (tty) {
          out.print("\r" + line);
        } else if (changed || now - lastPrint > TimeUnit.SECONDS.toNanos(5)) {
          out.println(line);
          lastPrint = now;
        }
        out.flush();
        last = line.substring(8);
        if (finished == ids.size()) {
          if (tty) {
            out.println();
          }
          return true;
        }
        TimeUnit.MILLISECONDS.sleep(250); // a display refresh, not a synchronisation
      }
    }

    void awaitRunnersExited(Duration max) throws InterruptedException {
      InstantSource clock = mayfly.config().clock();
      Instant until = clock.instant().plus(max);
      while (clock.instant().isBefore(until)
          && runners().stream().anyMatch(r -> r.state().isAlive())) {
        // The runners are other processes and record their exits in the store: poll it.
        TimeUnit.MILLISECONDS.sleep(100);
      }
    }

    /**
     * The demo's jobs by state: one query for the queue's newest jobs (the demo's, unless someone
     * enqueued more since), then a lookup only for any of the demo's jobs that query missed.
     */
    private Map<JobState, Integer> counts() {
      Map<JobState, Integer> counts = new EnumMap<>(JobState.class);
      Set<Long> missing = new HashSet<>(ids);
      for (JobInfo j : mayfly.admin().jobs(JobFilter.all().queue(QUEUE).limit(ids.size() + 100))) {
        if (missing.remove(j.id())) {
          counts.merge(j.state(), 1, Integer::sum);
        }
      }
      for (long id : missing) {
        mayfly.admin().job(id).ifPresent(j -> counts.merge(j.state(), 1, Integer::sum));
      }
      return counts;
    }

    private List<RunnerInfo> runners() {
      return mayfly.admin().runners(RunnerFilter.all().queue(QUEUE).limit(10_000)).stream()
          .filter(r -> !r.launchedAt().isBefore(started))
          .toList();
    }

    Summary summary() {
      List<JobInfo> jobs = new ArrayList<>();
      List<AttemptInfo> attempts = new ArrayList<>();
      int warnings = 0;
      for (long id : ids) {
        var d = mayfly.admin().jobDetail(id).orElseThrow();
        jobs.add(d.job());
        attempts.addAll(d.attempts());
        warnings += (int) d.log().stream().filter(l -> l.level().equals("warn")).count();
      }
      return new Summary(jobs, attempts, runners(), warnings);
    }
  }

  record Summary(
      List<JobInfo> jobs, List<AttemptInfo> attempts, List<RunnerInfo> runners, int misspellings) {

    boolean allSucceeded() {
      return jobs.stream().allMatch(j -> j.state() == JobState.SUCCEEDED);
    }

    void print(PrintWriter out) {
      long succeeded = jobs.stream().filter(j -> j.state() == JobState.SUCCEEDED).count();
      double billed = runners.stream().mapToDouble(RunnerInfo::billedSeconds).sum();
      double busy =
          attempts.stream()
                  .filter(a -> a.finishedAt() != null)
                  .mapToLong(a -> Duration.between(a.startedAt(), a.finishedAt()).toMillis())
                  .sum()
              / 1000.0;
      List<Long> latencies = new ArrayList<>();
      for (RunnerInfo r : runners) {
        attempts.stream()
            .filter(a -> r.id().equals(a.runnerId()))
            .map(AttemptInfo::startedAt)
            .min(Comparator.naturalOrder())
            .ifPresent(first -> latencies.add(Duration.between(r.launchedAt(), first).toMillis()));
      }
      latencies.sort(null);
      long pids =
          runners.stream().map(RunnerInfo::platformId).filter(p -> p != null).distinct().count();
      String self = Long.toString(ProcessHandle.current().pid());
      long refused = runners.stream().filter(r -> r.state() == RunnerState.FAILED).count();
      boolean ownProcess = runners.stream().anyMatch(r -> self.equals(r.platformId()));

      out.println();
      out.println("summary");
      out.printf(
          "  jobs              %d succeeded, %d failed or cancelled, of %d%n",
          succeeded, jobs.size() - succeeded, jobs.size());
      out.printf(
          "  runners launched  %d (%d distinct processes%s)%s%n",
          runners.size() - refused,
          pids,
          ownProcess ? ", one of them this process!" : ", none of them this one",
          refused == 0 ? "" : "; " + refused + " launch(es) refused by the platform and retried");
      out.printf(
          Locale.ROOT,
          "  billed            %.1f runner-seconds for %.1f busy job-seconds (%.1fx: start-up and idle"
              + " exit)%n",
          billed,
          busy,
          busy > 0 ? billed / busy : 0);
      if (!latencies.isEmpty()) {
        out.printf(
            "  launch to first job  median %d ms, max %d ms over %d runner(s)%n",
            latencies.get(latencies.size() / 2), latencies.getLast(), latencies.size());
      }
      out.printf("  misspellings      %d found; see them with: ./mayfly job ID%n", misspellings);
      jobs.stream()
          .filter(j -> j.state() != JobState.SUCCEEDED)
          .limit(5)
          .forEach(
              j ->
                  out.printf(
                      "  job %d %s: %s%n",
                      j.id(), j.state().wireName(), Output.firstLine(j.error())));
      out.flush();
    }
  }
}
