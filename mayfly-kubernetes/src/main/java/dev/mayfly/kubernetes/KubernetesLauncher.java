package dev.mayfly.kubernetes;

import dev.mayfly.internal.time.SystemTime;
import dev.mayfly.launch.LaunchException;
import dev.mayfly.launch.LaunchRequest;
import dev.mayfly.launch.Launcher;
import dev.mayfly.launch.RunnerExit;
import dev.mayfly.launch.RunnerHandle;
import dev.mayfly.protocol.DatabaseUrl;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
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
 */
final class KubernetesLauncher implements Launcher {
  private static final System.Logger LOG = System.getLogger("dev.mayfly.kubernetes");

  static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  static final String RUNNER_LABEL = "mayfly.dev/runner";
  static final String QUEUE_LABEL = "mayfly.dev/queue";

  /** Where a runner reads its store; it comes from the Secret, never inline. */
  private static final String RUNNER_DATABASE = "MAYFLY_DATABASE_URL";

  /** How long a runner's end waits for the rest of its pod's log. */
  private static final long LOG_TAIL_SECONDS = 5;

  /** Finished Jobs stay this long for {@code kubectl} and logs, then go with their pods. */
  static final int TTL_AFTER_FINISHED_SECONDS = 600;

  /** Waiting reasons that no waiting fixes: the pod will not start. */
  private static final Set<String> CANNOT_START =
      Set.of(
          "ErrImagePull",
          "ImagePullBackOff",
          "InvalidImageName",
          "CreateContainerConfigError",
          "CreateContainerError",
          "RunContainerError");

  private final KubernetesConfig config;
  private final KubernetesClient client;
  private final String namespace;
  private final InstantSource clock;
  private final LongSupplier ticker;

  /** The runners whose end is not yet told, by Job name. */
  private final Map<String, Launched> launched = new ConcurrentHashMap<>();

  private final Map<String, PodLogFollower> followers = new ConcurrentHashMap<>();
  private final RequestPace pace;
  private volatile @Nullable SharedIndexInformer<Pod> informer;

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
    watch();
    Launched runner =
        new Launched(new CompletableFuture<>(), request.output(), new CompletableFuture<>());
    launched.put(name, runner);
    try {
      pace.acquire();
      client.batch().v1().jobs().inNamespace(namespace).resource(job).create();
    } catch (KubernetesClientException e) {
      launched.remove(name);
      throw refused(e, "create", "jobs", request);
    }
    // a pod seen before the create returned
    informerPods(name).forEach(this::seen);
    return new RunnerHandle(name, runner.exit(), runner.pod());
  }

  /** The Job for one runner. */
  Job job(LaunchRequest request) throws LaunchException {
    if (config.secret() == null && request.env().containsKey(RUNNER_DATABASE)) {
      throw LaunchException.needsConfiguration(
          "kubernetes launcher: runners read their store from the app's Secret, and none is"
              + " named; set MAYFLY_KUBERNETES_SECRET to the Secret that holds the app's"
              + " DATABASE_URL (or MAYFLY_DATABASE_URL)",
          null);
    }
    KubernetesConfig.Resources size;
    try {
      size = KubernetesConfig.resources(request.size());
    } catch (IllegalArgumentException e) {
      throw LaunchException.needsConfiguration("kubernetes launcher: " + e.getMessage(), e);
    }
    String name = jobName(request.runnerId());
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(MANAGED_BY, "mayfly");
    labels.put(RUNNER_LABEL, request.runnerId());
    labels.put(QUEUE_LABEL, labelValue(request.queue()));
    List<EnvVar> env = new ArrayList<>();
    request.env().entrySet().stream()
        .filter(e -> !e.getKey().equals(RUNNER_DATABASE)) // from the Secret
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> env.add(new EnvVar(e.getKey(), e.getValue(), null)));
    List<String> command =
        request.command() != null ? List.of("sh", "-c", request.command()) : config.command();
    var container =
        new io.fabric8.kubernetes.api.model.ContainerBuilder()
            .withName("runner")
            .withImage(config.image())
            .withCommand(command)
            .withEnv(env)
            .withNewResources()
            .addToRequests("cpu", new Quantity(size.cpu()))
            .addToRequests("memory", new Quantity(size.memory()))
            .addToLimits("memory", new Quantity(size.memory()))
            .endResources();
    if (config.secret() != null) {
      container
          .addNewEnvFrom()
          .withNewSecretRef()
          .withName(config.secret())
          .endSecretRef()
          .endEnvFrom();
    }
    return new JobBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withBackoffLimit(0)
        .withActiveDeadlineSeconds(Math.max(1, request.timeToLive().toSeconds()))
        .withTtlSecondsAfterFinished(TTL_AFTER_FINISHED_SECONDS)
        .withPodReplacementPolicy("Failed")
        .withNewPodFailurePolicy()
        .addNewRule()
        .withAction("Ignore")
        .addNewOnPodCondition()
        .withType("DisruptionTarget")
        .withStatus("True")
        .endOnPodCondition()
        .endRule()
        .endPodFailurePolicy()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withRestartPolicy("Never")
        .withServiceAccountName(config.serviceAccount())
        .withContainers(container.build())
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
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

  /** Runner ids are lowercase letters, digits and dashes: valid in a Job's name as they are. */
  static String jobName(String runnerId) {
    return "mayfly-" + runnerId.toLowerCase(Locale.ROOT);
  }

  /** A label value: at most 63 of {@code [A-Za-z0-9_.-]}, starting and ending alphanumeric. */
  static String labelValue(String s) {
    String v = s.replaceAll("[^A-Za-z0-9_.-]", "_");
    v = v.length() > 63 ? v.substring(0, 63) : v;
    return v.replaceAll("^[^A-Za-z0-9]+|[^A-Za-z0-9]+$", "");
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

  private static String reason(KubernetesClientException e) {
    return e.getStatus() != null && e.getStatus().getMessage() != null
        ? e.getStatus().getMessage()
        : String.valueOf(e.getMessage());
  }

  // ---- watching ---------------------------------------------------------------------------------

  /** Starts the informer on Mayfly's pods in the namespace, once. */
  private void watch() throws LaunchException {
    if (informer != null) {
      return;
    }
    synchronized (this) {
      if (informer != null) {
        return;
      }
      try {
        informer =
            client
                .pods()
                .inNamespace(namespace)
                .withLabel(MANAGED_BY, "mayfly")
                .inform(
                    new ResourceEventHandler<>() {
                      @Override
                      public void onAdd(Pod pod) {
                        seen(pod);
                      }

                      @Override
                      public void onUpdate(Pod before, Pod pod) {
                        seen(pod);
                      }

                      @Override
                      public void onDelete(Pod pod, boolean finalStateUnknown) {
                        gone(pod);
                      }
                    },
                    0);
      } catch (KubernetesClientException e) {
        throw new LaunchException(
            "kubernetes launcher could not watch pods in namespace "
                + namespace
                + " ("
                + reason(e)
                + "); the app's service account needs 'list' and 'watch' on 'pods'",
            false,
            e);
      }
    }
  }

  private List<Pod> informerPods(String jobName) {
    SharedIndexInformer<Pod> i = informer;
    if (i == null) {
      return List.of();
    }
    return i.getStore().list().stream().filter(p -> jobName.equals(jobOf(p))).toList();
  }

  private static @Nullable String jobOf(Pod pod) {
    Map<String, String> labels = pod.getMetadata().getLabels();
    String runner = labels == null ? null : labels.get(RUNNER_LABEL);
    return runner == null ? null : jobName(runner);
  }

  /** A pod changed: if it ended, or cannot start, its runner's handle ends with why. */
  private void seen(Pod pod) {
    String job = jobOf(pod);
    if (job == null) {
      return;
    }
    Launched runner = launched.get(job);
    if (runner == null) {
      return;
    }
    String podName = pod.getMetadata().getName();
    if (started(pod)) {
      followers.computeIfAbsent(
          podName, n -> new PodLogFollower(client, namespace, n, runner.output(), pace).start());
      // the pod that runs the runner names it from now on (one evicted before it started does not)
      runner.pod().complete(podName);
    }
    Ended ended = ended(pod);
    if (ended == null && disrupted(pod) && started(pod) && terminated(pod)) {
      // Evicted, preempted or drained after it started: its runner may have reported in, and a
      // replacement pod would find the runner taken and leave. Mayfly launches anew if the
      // queue needs it, so the Job goes, and no replacement runs.
      ended =
          new Ended(
              exitCode(pod),
              "pod " + pod.getMetadata().getName() + " was disrupted (" + disruption(pod) + ")");
    }
    if (ended == null) {
      return;
    }
    if (launched.remove(job, runner)) {
      RunnerExit result =
          new RunnerExit(ended.exitCode(), clock.instant(), ended.detail(), disrupted(pod));
      boolean remove = result.exitCode() == null || result.exitCode() == 0 || result.disrupted();
      // The runner ends once its log is read (the stream ends with the container, a moment
      // after the status said so): its output is whole when its exit is recorded, and the Job
      // is not deleted under the reading.
      PodLogFollower follower = followers.get(podName);
      CompletableFuture<@Nullable Void> read = CompletableFuture.completedFuture(null);
      if (follower != null) {
        follower.containerEnded.complete(null);
        read = follower.done.copy().completeOnTimeout(null, LOG_TAIL_SECONDS, TimeUnit.SECONDS);
      }
      read.whenComplete(
          (ignored, error) -> {
            if (follower != null) {
              follower.stop();
              followers.remove(podName, follower);
            }
            if (remove) {
              // A pod that cannot start would wait for ever; a finished runner's record is in
              // the database. A failed pod stays until ttlSecondsAfterFinished, for 'kubectl
              // describe' and 'kubectl logs'. Deleted before the end is told, so whoever waits
              // for it finds no Job left.
              stop(job);
            }
            runner.exit().complete(result);
          });
    }
  }

  /**
   * A runner whose end is not yet told: its handle's exit, where its pod's output goes, and its
   * pod's name once one runs.
   */
  private record Launched(
      CompletableFuture<RunnerExit> exit, Consumer<String> output, CompletableFuture<String> pod) {}

  private void gone(Pod pod) {
    PodLogFollower follower = followers.remove(pod.getMetadata().getName());
    if (follower != null) {
      follower.stop();
    }
    String job = jobOf(pod);
    if (job == null || disrupted(pod)) {
      return; // an evicted pod is replaced by its Job
    }
    Launched runner = launched.remove(job);
    if (runner != null) {
      Ended ended = ended(pod);
      runner
          .exit()
          .complete(
              ended != null
                  ? new RunnerExit(ended.exitCode(), clock.instant(), ended.detail())
                  : new RunnerExit(
                      null,
                      clock.instant(),
                      "pod " + pod.getMetadata().getName() + " was deleted"));
    }
  }

  /** How a pod ended: its container's exit code where there is one, and what to tell the user. */
  record Ended(@Nullable Integer exitCode, String detail) {}

  /**
   * Whether a pod has ended, or will never start, and why; null while it runs or may yet start. A
   * pod whose disruption Kubernetes will replace (eviction, preemption, a drain) has not ended.
   */
  static @Nullable Ended ended(Pod pod) {
    String name = pod.getMetadata().getName();
    var status = pod.getStatus();
    if (status == null) {
      return null;
    }
    List<ContainerStatus> containers =
        status.getContainerStatuses() == null ? List.of() : status.getContainerStatuses();
    for (ContainerStatus c : containers) {
      var waiting = c.getState() == null ? null : c.getState().getWaiting();
      if (waiting != null && CANNOT_START.contains(waiting.getReason())) {
        return new Ended(
            null,
            "pod "
                + name
                + " cannot start: "
                + waiting.getReason()
                + (waiting.getMessage() == null ? "" : " (" + waiting.getMessage() + ")")
                + "; check the image and MAYFLY_KUBERNETES_IMAGE, and 'kubectl describe pod "
                + name
                + "'");
      }
    }
    String phase = status.getPhase();
    if (!"Succeeded".equals(phase) && !"Failed".equals(phase)) {
      return null;
    }
    if ("Failed".equals(phase) && disrupted(pod)) {
      return null; // replaced by the Job (podFailurePolicy Ignore)
    }
    for (ContainerStatus c : containers) {
      var terminated = c.getState() == null ? null : c.getState().getTerminated();
      if (terminated != null) {
        Integer code = terminated.getExitCode();
        String reason = terminated.getReason();
        return new Ended(
            code,
            "pod "
                + name
                + " "
                + phase.toLowerCase(Locale.ROOT)
                + (reason == null ? "" : " (" + reason + ")")
                + (code == null ? "" : ", exit code " + code)
                + ("OOMKilled".equals(reason)
                    ? "; the runner needs more memory than its size gives: choose a larger"
                        + " queue size"
                    : ""));
      }
    }
    return new Ended(
        "Succeeded".equals(phase) ? 0 : null,
        "pod "
            + name
            + " "
            + phase.toLowerCase(Locale.ROOT)
            + (status.getReason() == null ? "" : " (" + status.getReason() + ")"));
  }

  /** Whether the pod's container ever ran. */
  private static boolean started(Pod pod) {
    var containers = pod.getStatus().getContainerStatuses();
    return containers != null
        && containers.stream()
            .anyMatch(
                c ->
                    c.getState() != null
                        && (c.getState().getRunning() != null
                            || c.getState().getTerminated() != null));
  }

  private static boolean terminated(Pod pod) {
    String phase = pod.getStatus().getPhase();
    return "Failed".equals(phase) || "Succeeded".equals(phase);
  }

  private static @Nullable Integer exitCode(Pod pod) {
    var containers = pod.getStatus().getContainerStatuses();
    if (containers == null) {
      return null;
    }
    for (ContainerStatus c : containers) {
      if (c.getState() != null && c.getState().getTerminated() != null) {
        return c.getState().getTerminated().getExitCode();
      }
    }
    return null;
  }

  private static String disruption(Pod pod) {
    return pod.getStatus().getConditions().stream()
        .filter(c -> "DisruptionTarget".equals(c.getType()))
        .map(c -> c.getReason() == null ? "DisruptionTarget" : c.getReason())
        .findFirst()
        .orElse("DisruptionTarget");
  }

  private static boolean disrupted(Pod pod) {
    List<PodCondition> conditions = pod.getStatus().getConditions();
    return conditions != null
        && conditions.stream()
            .anyMatch(c -> "DisruptionTarget".equals(c.getType()) && "True".equals(c.getStatus()));
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
    SharedIndexInformer<Pod> i = informer;
    if (i == null || !i.hasSynced()) {
      return Optional.empty();
    }
    String job = jobNamed(platformId);
    List<Pod> pods = informerPods(job);
    for (Pod p : pods) {
      if (ended(p) == null) {
        return Optional.empty();
      }
    }
    Ended last;
    if (pods.isEmpty()) {
      // Not created yet, or the Job is gone: the Job tells which.
      try {
        pace.acquire();
        Job found = client.batch().v1().jobs().inNamespace(namespace).withName(job).get();
        last = found == null ? new Ended(null, "Job " + job + " no longer exists") : null;
      } catch (KubernetesClientException e) {
        return Optional.empty();
      }
    } else {
      last = ended(pods.getLast());
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
    SharedIndexInformer<Pod> i = informer;
    if (i != null) {
      i.close();
    }
    followers.values().forEach(PodLogFollower::stop);
    client.close();
  }
}
