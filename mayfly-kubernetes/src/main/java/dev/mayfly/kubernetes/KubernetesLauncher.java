package dev.mayfly.kubernetes;

import dev.mayfly.internal.time.SystemTime;
import dev.mayfly.launch.LaunchException;
import dev.mayfly.launch.LaunchRequest;
import dev.mayfly.launch.Launcher;
import dev.mayfly.launch.RunnerExit;
import dev.mayfly.launch.RunnerHandle;
import dev.mayfly.protocol.DatabaseUrl;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Runners as Kubernetes Jobs, one Job of one pod per runner.
 *
 * <p>Kubernetes does not retry (Mayfly does): {@code backoffLimit: 0}, {@code restartPolicy:
 * Never}. A pod disrupted (eviction, preemption, a drain) before it started is replaced by its Job
 * instead of failing it ({@code podFailurePolicy}, {@code podReplacementPolicy: Failed}), and the
 * launch goes on; one disrupted after it started ends its runner, and its Job is deleted so that no
 * replacement runs (one that starts anyway finds the runner's row taken and leaves, touching
 * nothing). The Job ends at the runner's time-to-live ({@code activeDeadlineSeconds}) and is
 * deleted with its pods a while after it finished ({@code ttlSecondsAfterFinished}).
 *
 * <p>The database says what runs; Kubernetes is watched, not polled: an informer on Mayfly's pods
 * ends a runner's handle as soon as its pod ends or cannot start (an image that cannot be pulled, a
 * configuration error), with the reason, so a runner that never reported in is failed within
 * seconds and its queue backs off.
 *
 * <p>Once a runner's container runs, its pod's log is followed into the runner's output ({@link
 * PodLogFollower}); the runner's end is told once that log was read, and it is named by its pod
 * from then on ({@link RunnerHandle#instance}).
 *
 * <p>Runners read their store from the app's Secret, not from the Job: before launching, the Secret
 * is read and its database URL compared with the dispatcher's, and a runner that would open another
 * database is not launched (see {@link #checkRunnersSeeTheStore}).
 *
 * <p>This class launches, checks the Secret, stops and answers the dispatcher; the Job is built by
 * {@link JobManifest}, the pods are watched by {@link RunnerPods}, and what their status says is
 * read by {@link PodStatus}.
 */
final class KubernetesLauncher implements Launcher {
  private static final System.Logger LOG = System.getLogger("dev.mayfly.kubernetes");

  /** Where a runner reads its store; it comes from the Secret, never inline. */
  static final String RUNNER_DATABASE = "MAYFLY_DATABASE_URL";

  private final KubernetesConfig config;
  private final KubernetesClient client;
  private final String namespace;
  private final InstantSource clock;
  private final LongSupplier ticker;
  private final RequestPace pace;
  private final RunnerPods pods;

  /** A launcher measuring intervals with the machine's ticker: for tests that set only the time. */
  KubernetesLauncher(KubernetesConfig config, KubernetesClient client, InstantSource clock) {
    this(config, client, clock, SystemTime.ticker());
  }

  /**
   * @param clock the time runner exits are reported at
   * @param ticker nanoseconds, for the pace of API requests and how long a Secret read is trusted
   */
  KubernetesLauncher(
      KubernetesConfig config, KubernetesClient client, InstantSource clock, LongSupplier ticker) {
    this.config = config;
    this.client = client;
    String ns = config.namespace() != null ? config.namespace() : client.getNamespace();
    this.namespace = ns != null ? ns : "default";
    this.clock = clock;
    this.ticker = ticker;
    this.pace =
        new RequestPace(
            config.requestsPerSecond(), 2 * (int) Math.ceil(config.requestsPerSecond()), ticker);
    this.pods = new RunnerPods(client, namespace, clock, pace, this::stop);
  }

  @Override
  public String name() {
    return "kubernetes";
  }

  @Override
  public RunnerHandle launch(LaunchRequest request) throws LaunchException {
    Job job = job(request);
    checkRunnersSeeTheStore(request);
    String name = job.getMetadata().getName();
    pods.watch();
    RunnerPods.Launched runner = pods.expect(name, request.output());
    try {
      pace.acquire();
      client.batch().v1().jobs().inNamespace(namespace).resource(job).create();
    } catch (KubernetesClientException e) {
      pods.forget(name);
      throw refused(e, "create", "jobs", request);
    }
    // a pod seen before the create returned
    pods.catchUp(name);
    return new RunnerHandle(name, runner.exit(), runner.pod());
  }

  /** The Job for one runner ({@link JobManifest}). */
  Job job(LaunchRequest request) throws LaunchException {
    return JobManifest.job(config, namespace, request);
  }

  /** How long a Secret found to name the dispatcher's store is trusted before it is read again. */
  private static final long SECRET_TTL_NANOS = TimeUnit.MINUTES.toNanos(1);

  /** The dispatcher's store that the Secret was last found to name, and when. */
  private record SecretChecked(String database, long atNanos) {}

  private volatile @Nullable SecretChecked secretChecked;
  private volatile boolean secretUnreadableSaid;

  /**
   * A runner's pod opens the database in the Secret's {@code MAYFLY_DATABASE_URL} or {@code
   * DATABASE_URL}, not the one this dispatcher was given: when they differ, every runner would find
   * no row of its own and leave, and the jobs would never run. So the Secret is read before the
   * first launch, and again at a launch a minute or more after it was last found right (an edited
   * Secret is seen then); a missing Secret, one without either key, or one naming another database
   * is a configuration error naming both (redacted) URLs and what to set. A service account that
   * may not read Secrets skips the check, said once: the first runner then finds no row in the
   * store it opened and reports it, which the dispatcher takes for the same configuration error.
   */
  private void checkRunnersSeeTheStore(LaunchRequest request) throws LaunchException {
    String mine = request.env().get(RUNNER_DATABASE);
    String secret = config.secret();
    if (mine == null || secret == null) {
      return; // a launch request not made by a dispatcher: nothing to compare
    }
    SecretChecked checked = secretChecked;
    long now = ticker.getAsLong();
    if (checked != null
        && checked.database().equals(mine)
        && now - checked.atNanos() < SECRET_TTL_NANOS) {
      return;
    }
    Secret s;
    try {
      pace.acquire();
      s = client.secrets().inNamespace(namespace).withName(secret).get();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 401 || e.getCode() == 403) {
        if (!secretUnreadableSaid) {
          secretUnreadableSaid = true;
          LOG.log(
              Level.INFO,
              "kubernetes launcher cannot read Secret {0} in namespace {1} (HTTP {2}), so it does"
                  + " not check before launching that runners open this dispatcher''s store; a"
                  + " runner that opens another reports it. Grant ''get'' on ''secrets'' to check"
                  + " first (docs/kubernetes.md)",
              secret,
              namespace,
              e.getCode());
        }
        secretChecked = new SecretChecked(mine, now);
      }
      return; // unknown for now: a runner that opens another store reports it
    }
    String pausing =
        ". Launching pauses for minutes at a time until that is fixed; the jobs stay queued";
    if (s == null) {
      throw LaunchException.needsConfiguration(
          "kubernetes launcher: runners read their store from Secret "
              + secret
              + " (MAYFLY_KUBERNETES_SECRET), which does not exist in namespace "
              + namespace
              + "; create it there with MAYFLY_DATABASE_URL set to this dispatcher's database, "
              + redacted(mine)
              + pausing,
          null);
    }
    Map<String, String> data = secretData(s);
    String key = data.containsKey(RUNNER_DATABASE) ? RUNNER_DATABASE : "DATABASE_URL";
    String theirs = data.get(key);
    if (theirs == null) {
      throw LaunchException.needsConfiguration(
          "kubernetes launcher: runners read their store from Secret "
              + secret
              + " in namespace "
              + namespace
              + ", which has neither MAYFLY_DATABASE_URL nor DATABASE_URL; set MAYFLY_DATABASE_URL"
              + " in it to this dispatcher's database, "
              + redacted(mine)
              + pausing,
          null);
    }
    if (!DatabaseUrl.sameDatabase(mine, theirs)) {
      throw LaunchException.needsConfiguration(
          "kubernetes launcher: runners would open "
              + redacted(theirs)
              + " (the "
              + key
              + " of Secret "
              + secret
              + " in namespace "
              + namespace
              + "), but this dispatcher uses "
              + redacted(mine)
              + ": they would find no row of their own there, and no job would run. Set "
              + key
              + " in Secret "
              + secret
              + " to this dispatcher's database, or start the dispatcher with the Secret's (--db"
              + " or MAYFLY_DATABASE_URL)"
              + pausing,
          null);
    }
    secretChecked = new SecretChecked(mine, now);
  }

  private static String redacted(String url) {
    return String.valueOf(DatabaseUrl.redact(url));
  }

  /** A Secret's values, decoded; {@code stringData} as written, where an API server keeps it. */
  private static Map<String, String> secretData(Secret s) {
    Map<String, String> data = new LinkedHashMap<>();
    if (s.getData() != null) {
      s.getData()
          .forEach(
              (k, v) -> {
                try {
                  data.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8));
                } catch (IllegalArgumentException notBase64) {
                  // not a value a pod would get either
                }
              });
    }
    if (s.getStringData() != null) {
      data.putAll(s.getStringData());
    }
    return data;
  }

  private LaunchException refused(
      KubernetesClientException e, String verb, String resource, LaunchRequest request) {
    int code = e.getCode();
    String what =
        "kubernetes launcher could not "
            + verb
            + " the Job of runner "
            + request.runnerId()
            + " in namespace "
            + namespace
            + " ("
            + (code > 0 ? "HTTP " + code + ": " : "")
            + reason(e)
            + ")";
    if (code == 401 || code == 403) {
      return LaunchException.needsConfiguration(
          what
              + "; the app's service account needs the verb '"
              + verb
              + "' on '"
              + resource
              + "' (group batch) in namespace "
              + namespace
              + ": see the Role in docs/kubernetes.md. Launching pauses for minutes at a time"
              + " until that is fixed; the jobs stay queued",
          e);
    }
    if (code == 422 || code == 400) {
      return LaunchException.needsConfiguration(
          what + "; the Job was refused as invalid: check the image, size and command", e);
    }
    return new LaunchException(
        what + "; the jobs stay queued and the launch will be retried", code == 429, e);
  }

  static String reason(KubernetesClientException e) {
    return e.getStatus() != null && e.getStatus().getMessage() != null
        ? e.getStatus().getMessage()
        : String.valueOf(e.getMessage());
  }

  /** A Job's pods are named after it: its name, a dash and five characters. */
  private static final java.util.regex.Pattern POD_OF_JOB =
      java.util.regex.Pattern.compile("(mayfly-r-[0-9a-z]+)-[0-9a-z]{5}");

  /**
   * The Job of a platform id: a runner is known by its Job's name until its pod runs, and by the
   * pod's name from then on (see {@link RunnerHandle#instance}).
   */
  static String jobNamed(String platformId) {
    var pod = POD_OF_JOB.matcher(platformId);
    return pod.matches() ? pod.group(1) : platformId;
  }

  @Override
  public Optional<RunnerExit> exited(String platformId) {
    if (!pods.synced()) {
      return Optional.empty();
    }
    String job = jobNamed(platformId);
    List<Pod> ofJob = pods.of(job);
    for (Pod p : ofJob) {
      if (PodStatus.ended(p) == null) {
        return Optional.empty();
      }
    }
    PodStatus.Ended last;
    if (ofJob.isEmpty()) {
      // Not created yet, or the Job is gone: the Job tells which.
      try {
        pace.acquire();
        Job found = client.batch().v1().jobs().inNamespace(namespace).withName(job).get();
        last = found == null ? new PodStatus.Ended(null, "Job " + job + " no longer exists") : null;
      } catch (KubernetesClientException e) {
        return Optional.empty();
      }
    } else {
      last = PodStatus.ended(ofJob.getLast());
    }
    return last == null
        ? Optional.empty()
        : Optional.of(new RunnerExit(last.exitCode(), clock.instant(), last.detail()));
  }

  @Override
  public void stop(String platformId) {
    String job = jobNamed(platformId);
    try {
      pace.acquire();
      client
          .batch()
          .v1()
          .jobs()
          .inNamespace(namespace)
          .withName(job)
          .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND)
          .delete();
    } catch (KubernetesClientException e) {
      LOG.log(Level.WARNING, "deleting Job {0} failed: {1}", job, reason(e));
    }
  }

  @Override
  public void close() {
    pods.close();
    client.close();
  }
}
