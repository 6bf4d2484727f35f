package dev.mayfly.kubernetes.emulator;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A Kubernetes API server with the two controllers Mayfly's Jobs need, for tests: fabric8's mock
 * server in CRUD mode stores and watches every object (it runs no controller), and this class adds
 * the Job controller (one pod per Job, a replacement for a disrupted pod, {@code
 * activeDeadlineSeconds}, {@code ttlSecondsAfterFinished}, the Job's conditions), the garbage
 * collector (a deleted Job takes its pods) and a kubelet that runs each pod as a local process.
 *
 * <p>An image is a local command: {@link #image} says what running it means. A pod of an unknown
 * image waits in {@code ErrImagePull}, then {@code ImagePullBackOff}, as a cluster that cannot pull
 * it does; a pod whose {@code envFrom} Secret is missing waits in {@code
 * CreateContainerConfigError}. {@link #evict} disrupts a pod as a drain would.
 *
 * <p>For tests and for trying the Kubernetes launcher without a cluster ({@code mayfly
 * kubernetes-emulator}); fabric8's mock server is an optional dependency of this module, which
 * users of the launcher alone do not get.
 */
public final class KubernetesEmulator implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger("dev.mayfly.kubernetes.emulator");

  /** A pod's terminationGracePeriodSeconds, Kubernetes' default. */
  private static final long GRACE_SECONDS = 30;

  private final KubernetesMockServer server;
  private final ApiFront front;
  private final KubernetesClient admin;
  private final Map<String, PodLog> logs = new ConcurrentHashMap<>();
  private final Map<String, List<String>> images = new ConcurrentHashMap<>();
  private final Map<String, Process> processes = new ConcurrentHashMap<>();
  private final Map<String, Boolean> evicted = new ConcurrentHashMap<>();
  private final AtomicInteger running = new AtomicInteger();
  private final AtomicInteger maxRunning = new AtomicInteger();
  private final AtomicInteger podsCreated = new AtomicInteger();
  private final java.util.Set<String> controlled = ConcurrentHashMap.newKeySet();
  private volatile long pendingMillis = 50;
  private final ScheduledExecutorService timers =
      Executors.newScheduledThreadPool(
          2,
          r -> {
            Thread t = new Thread(r, "kubernetes-emulator");
            t.setDaemon(true);
            return t;
          });
  private final SharedIndexInformer<Job> jobs;
  private final SharedIndexInformer<Pod> pods;
  private final Random random = new Random(7);
  private volatile double faultRate;
  private volatile int refusal;
  private final AtomicInteger faults = new AtomicInteger();
  private final AtomicInteger faultsToInject = new AtomicInteger();

  /** The mock server logs every request at INFO through java.util.logging; held to stay quiet. */
  private static final java.util.logging.Logger MOCK_LOG =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  private KubernetesEmulator(int port) throws IOException {
    MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    MockWebServer http = new MockWebServer();
    // HTTP/1.1 only: the front routes whole connections, which HTTP/2's streams would share
    http.setHttp2ClearTextEnabled(false);
    server = new KubernetesMockServer(new Context(), http, new HashMap<>(), new Faulty(), false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    admin = server.createClient();
    front =
        new ApiFront(
            port,
            server.getPort(),
            new ApiFront.Pods() {
              @Override
              public @Nullable PodLog log(String namespace, String pod) {
                return logs.get(namespace + "/" + pod);
              }

              @Override
              public boolean exists(String namespace, String pod) {
                return admin.pods().inNamespace(namespace).withName(pod).get() != null;
              }
            });
    jobs =
        admin
            .batch()
            .v1()
            .jobs()
            .inAnyNamespace()
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Job job) {
                    timers.execute(() -> jobAdded(job));
                  }

                  @Override
                  public void onUpdate(Job before, Job job) {}

                  @Override
                  public void onDelete(Job job, boolean unknown) {
                    timers.execute(() -> collect(job));
                  }
                });
    pods =
        admin
            .pods()
            .inAnyNamespace()
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Pod pod) {}

                  @Override
                  public void onUpdate(Pod before, Pod pod) {}

                  @Override
                  public void onDelete(Pod pod, boolean unknown) {
                    logs.remove(key(pod)); // a pod's log goes with it
                    // a deleted pod's container gets SIGTERM, and SIGKILL after the grace period
                    Process p = processes.get(key(pod));
                    if (p != null) {
                      ProcessHandle h = p.toHandle();
                      h.descendants().forEach(ProcessHandle::destroy);
                      h.destroy();
                      timers.schedule(
                          () -> {
                            h.descendants().forEach(ProcessHandle::destroyForcibly);
                            h.destroyForcibly();
                          },
                          GRACE_SECONDS,
                          TimeUnit.SECONDS);
                    }
                  }
                });
  }

  /** An emulated cluster on a free port. */
  public static KubernetesEmulator start() {
    try {
      return start(0);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** An emulated cluster whose API server listens on {@code port} of the loopback address. */
  public static KubernetesEmulator start(int port) throws IOException {
    return new KubernetesEmulator(port);
  }

  /** The API server's address, as a kubeconfig names it. */
  public String url() {
    return "http://" + InetAddress.getLoopbackAddress().getHostAddress() + ":" + front.port();
  }

  /**
   * Pods of {@code image} run {@code command} here (the image's content, as it were); with no
   * command, they run the container's own {@code command} and {@code args}, as a general-purpose
   * image such as busybox does.
   */
  public KubernetesEmulator image(String image, List<String> command) {
    images.put(image, List.copyOf(command));
    return this;
  }

  /** Pods wait up to this long, at random, for a node before they start. */
  public KubernetesEmulator pending(java.time.Duration upTo) {
    this.pendingMillis = Math.max(1, upTo.toMillis());
    return this;
  }

  /** This share of Job creates and deletes is answered 500, 503 or 429 without acting. */
  public void faultRate(double rate) {
    this.faultRate = rate;
  }

  /**
   * The next {@code n} Job creates or deletes are answered 500, 503 or 429 without acting, whatever
   * the fault rate: for tests that must see faults however few calls a run makes.
   */
  public void failNext(int n) {
    this.faultsToInject.set(n);
  }

  /**
   * Every Job create and delete is answered {@code status} (403: the service account may not) from
   * now on; 0 to stop.
   */
  public void refuse(int status) {
    this.refusal = status;
  }

  public int faultsInjected() {
    return faults.get();
  }

  public void secret(String namespace, String name, Map<String, String> data) {
    Map<String, String> encoded = new HashMap<>();
    data.forEach(
        (k, v) ->
            encoded.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
    Secret s =
        new SecretBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(namespace)
            .endMetadata()
            .withData(encoded)
            .build();
    admin.secrets().inNamespace(namespace).resource(s).create();
  }

  /**
   * Writes a kubeconfig whose current context is this server and {@code namespace}, for {@code
   * KUBECONFIG}.
   */
  public Path writeKubeconfig(Path file, String namespace) throws IOException {
    return writeKubeconfig(file, namespace, Map.of());
  }

  /**
   * Writes a kubeconfig whose current context is this server and {@code namespace}, and names in
   * its {@code mayfly.dev/runner} extension what Mayfly's runners need ({@code image}, {@code
   * secret}), so {@code KUBECONFIG} alone points Mayfly here. Written whole or not at all.
   */
  public Path writeKubeconfig(Path file, String namespace, Map<String, String> runner)
      throws IOException {
    StringBuilder yaml =
        new StringBuilder(
            String.join(
                "\n",
                "apiVersion: v1",
                "kind: Config",
                "clusters:",
                "- name: mayfly-emulator",
                "  cluster:",
                "    server: " + url(),
                "contexts:",
                "- name: mayfly-emulator",
                "  context:",
                "    cluster: mayfly-emulator",
                "    namespace: " + namespace,
                "    user: mayfly-emulator",
                ""));
    if (!runner.isEmpty()) {
      yaml.append("    extensions:\n    - name: mayfly.dev/runner\n      extension:\n");
      new java.util.TreeMap<>(runner)
          .forEach(
              (k, v) -> yaml.append("        ").append(k).append(": '").append(v).append("'\n"));
    }
    yaml.append(
        String.join(
            "\n",
            "current-context: mayfly-emulator",
            "users:",
            "- name: mayfly-emulator",
            "  user:",
            "    token: emulator",
            ""));
    Path target = file.toAbsolutePath();
    Path parent = target.getParent();
    java.nio.file.Files.createDirectories(parent);
    Path partial = java.nio.file.Files.createTempFile(parent, ".kubeconfig", ".tmp");
    java.nio.file.Files.writeString(partial, yaml);
    java.nio.file.Files.move(
        partial,
        target,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    return file;
  }

  /** A client configuration for this server, as a kubeconfig's context would give. */
  private Config clientConfig(String namespace) {
    return new ConfigBuilder(Config.empty())
        .withMasterUrl(url())
        .withNamespace(namespace)
        .withTrustCerts(true)
        .withRequestRetryBackoffLimit(3)
        .build();
  }

  public KubernetesClient client(String namespace) {
    return new KubernetesClientBuilder().withConfig(clientConfig(namespace)).build();
  }

  public KubernetesClient admin() {
    return admin;
  }

  /** The most pods that ran at once. */
  public int maxRunning() {
    return maxRunning.get();
  }

  public int podsCreated() {
    return podsCreated.get();
  }

  /**
   * Disrupts a running pod as the Eviction API does for a drain: a {@code DisruptionTarget}
   * condition, SIGTERM, and the pod deleted once its process ended.
   */
  public boolean evict(String namespace, String podName) {
    String key = namespace + "/" + podName;
    Process p = processes.get(key);
    if (p == null) {
      return false;
    }
    evicted.put(key, true);
    editStatus(
        namespace,
        podName,
        b ->
            b.editOrNewStatus()
                .addToConditions(
                    new PodConditionBuilder()
                        .withType("DisruptionTarget")
                        .withStatus("True")
                        .withReason("EvictionByEvictionAPI")
                        .withMessage("Eviction API: evicting")
                        .withLastTransitionTime(Instant.now().toString())
                        .build())
                .endStatus());
    p.toHandle().descendants().forEach(ProcessHandle::destroy);
    p.destroy();
    return true;
  }

  /**
   * Ends every pod log stream being served, as an API server restart does; returns how many ended.
   */
  public int breakLogStreams() {
    return front.breakLogStreams();
  }

  /** Pods running now, as namespace/name. */
  public List<String> runningPods() {
    return List.copyOf(processes.keySet());
  }

  // ---- the Job controller ------------------------------------------------------------------

  private void jobAdded(Job job) {
    // The mock server's watch may announce a Job again (it answers some status writes with
    // ADDED): the controller acts once per Job, as Kubernetes' does through its expectations.
    if (!controlled.add(job.getMetadata().getUid())) {
      return;
    }
    createPod(job);
    Long deadline = job.getSpec().getActiveDeadlineSeconds();
    if (deadline != null) {
      timers.schedule(() -> deadlineExceeded(job), deadline, TimeUnit.SECONDS);
    }
  }

  private void createPod(Job job) {
    String ns = job.getMetadata().getNamespace();
    String name = job.getMetadata().getName() + "-" + suffix();
    Map<String, String> labels = new HashMap<>();
    var template = job.getSpec().getTemplate();
    if (template.getMetadata() != null && template.getMetadata().getLabels() != null) {
      labels.putAll(template.getMetadata().getLabels());
    }
    labels.put("job-name", job.getMetadata().getName());
    labels.put("batch.kubernetes.io/job-name", job.getMetadata().getName());
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(ns)
            .withLabels(labels)
            .addNewOwnerReference()
            .withApiVersion("batch/v1")
            .withKind("Job")
            .withName(job.getMetadata().getName())
            .withUid(job.getMetadata().getUid())
            .withController(true)
            .endOwnerReference()
            .endMetadata()
            .withSpec(template.getSpec())
            .withNewStatus()
            .withPhase("Pending")
            .endStatus()
            .build();
    try {
      admin.pods().inNamespace(ns).resource(pod).create();
    } catch (KubernetesClientException e) {
      LOG.log(Level.DEBUG, "pod {0} not created: {1}", name, e.getMessage());
      return;
    }
    podsCreated.incrementAndGet();
    long wait;
    synchronized (random) {
      wait = 1 + random.nextLong(pendingMillis);
    }
    timers.schedule(() -> kubelet(job, ns, name), wait, TimeUnit.MILLISECONDS);
  }

  private String suffix() {
    String chars = "bcdfghjklmnpqrstvwxz2456789";
    StringBuilder b = new StringBuilder();
    synchronized (random) {
      for (int i = 0; i < 5; i++) {
        b.append(chars.charAt(random.nextInt(chars.length())));
      }
    }
    return b.toString();
  }

  private void deadlineExceeded(Job job) {
    String ns = job.getMetadata().getNamespace();
    Job now = admin.batch().v1().jobs().inNamespace(ns).withName(job.getMetadata().getName()).get();
    if (now == null || finished(now)) {
      return;
    }
    finishJob(now, "Failed", "DeadlineExceeded", 0);
    for (Pod p : podsOf(now)) {
      Process proc = processes.get(key(p));
      if (proc != null) {
        proc.toHandle().descendants().forEach(ProcessHandle::destroy);
        proc.destroy();
      }
    }
  }

  private List<Pod> podsOf(Job job) {
    return admin
        .pods()
        .inNamespace(job.getMetadata().getNamespace())
        .withLabel("job-name", job.getMetadata().getName())
        .list()
        .getItems();
  }

  private static boolean finished(Job job) {
    return job.getStatus() != null
        && job.getStatus().getConditions() != null
        && job.getStatus().getConditions().stream()
            .anyMatch(c -> List.of("Complete", "Failed").contains(c.getType()));
  }

  private void finishJob(Job job, String type, String reason, int succeeded) {
    String ns = job.getMetadata().getNamespace();
    String name = job.getMetadata().getName();
    JobCondition c =
        new JobConditionBuilder()
            .withType(type)
            .withStatus("True")
            .withReason(reason)
            .withLastTransitionTime(Instant.now().toString())
            .build();
    try {
      admin
          .batch()
          .v1()
          .jobs()
          .inNamespace(ns)
          .withName(name)
          .editStatus(
              j ->
                  new JobBuilder(j)
                      .editOrNewStatus()
                      .addToConditions(c)
                      .withSucceeded(succeeded)
                      .withFailed(1 - succeeded)
                      .withCompletionTime(succeeded == 1 ? Instant.now().toString() : null)
                      .endStatus()
                      .build());
    } catch (KubernetesClientException e) {
      return; // deleted meanwhile
    }
    Integer ttl = job.getSpec().getTtlSecondsAfterFinished();
    if (ttl != null) {
      timers.schedule(
          () -> {
            admin.batch().v1().jobs().inNamespace(ns).withName(name).delete();
          },
          ttl,
          TimeUnit.SECONDS);
    }
  }

  /** The garbage collector: a deleted Job's pods go with it. */
  private void collect(Job job) {
    for (Pod p : podsOf(job)) {
      admin.pods().inNamespace(p.getMetadata().getNamespace()).resource(p).delete();
    }
  }

  // ---- the kubelet ----------------------------------------------------------------------------

  private void kubelet(Job job, String ns, String name) {
    Container c = job.getSpec().getTemplate().getSpec().getContainers().getFirst();
    List<String> command = images.get(c.getImage());
    if (command != null && command.isEmpty()) {
      command = new java.util.ArrayList<>();
      command.addAll(c.getCommand() == null ? List.of() : c.getCommand());
      command.addAll(c.getArgs() == null ? List.of() : c.getArgs());
    }
    if (command == null) {
      waiting(
          ns,
          name,
          "ErrImagePull",
          "failed to pull and unpack image \"" + c.getImage() + "\": not found");
      timers.schedule(
          () ->
              waiting(
                  ns, name, "ImagePullBackOff", "Back-off pulling image \"" + c.getImage() + "\""),
          1,
          TimeUnit.SECONDS);
      return;
    }
    Map<String, String> env = new HashMap<>();
    if (c.getEnvFrom() != null) {
      for (EnvFromSource from : c.getEnvFrom()) {
        if (from.getSecretRef() == null) {
          continue;
        }
        Secret s = admin.secrets().inNamespace(ns).withName(from.getSecretRef().getName()).get();
        if (s == null) {
          waiting(
              ns,
              name,
              "CreateContainerConfigError",
              "secret \"" + from.getSecretRef().getName() + "\" not found");
          return;
        }
        if (s.getData() != null) {
          s.getData()
              .forEach(
                  (k, v) ->
                      env.put(
                          k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
        }
      }
    }
    if (c.getEnv() != null) {
      for (EnvVar e : c.getEnv()) {
        env.put(e.getName(), e.getValue() == null ? "" : e.getValue());
      }
    }
    env.put("HOSTNAME", name);
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      waiting(ns, name, "RunContainerError", String.valueOf(e.getMessage()));
      return;
    }
    String key = ns + "/" + name;
    // the log exists before the status says Running, so a client that sees it can read it
    PodLog log = new PodLog();
    logs.put(key, log);
    processes.put(key, p);
    maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
    String started = Instant.now().toString();
    editStatus(
        ns,
        name,
        b ->
            b.editOrNewStatus()
                .withPhase("Running")
                .withStartTime(started)
                .withConditions(condition("PodScheduled"), condition("Ready"))
                .withContainerStatuses(
                    new ContainerStatusBuilder()
                        .withName(c.getName())
                        .withImage(c.getImage())
                        .withReady(true)
                        .withNewState()
                        .withNewRunning()
                        .withStartedAt(started)
                        .endRunning()
                        .endState()
                        .build())
                .endStatus());
    Thread.ofVirtual()
        .start(
            () -> {
              // stdout and stderr, line by line, as the container runtime keeps them
              try (var out =
                  new java.io.BufferedReader(
                      new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                  log.add(line);
                }
              } catch (IOException ignored) {
                // the process went away
              }
              log.end();
              int code;
              try {
                code = p.waitFor();
              } catch (InterruptedException e) {
                return;
              }
              running.decrementAndGet();
              processes.remove(key);
              exited(job, ns, name, c, code);
            });
  }

  private void exited(Job job, String ns, String name, Container c, int code) {
    boolean disrupted = evicted.remove(ns + "/" + name) != null;
    String phase = code == 0 ? "Succeeded" : "Failed";
    String finished = Instant.now().toString();
    editStatus(
        ns,
        name,
        b ->
            b.editOrNewStatus()
                .withPhase(phase)
                .withContainerStatuses(
                    new ContainerStatusBuilder()
                        .withName(c.getName())
                        .withImage(c.getImage())
                        .withReady(false)
                        .withNewState()
                        .withNewTerminated()
                        .withExitCode(code)
                        .withReason(code == 0 ? "Completed" : "Error")
                        .withFinishedAt(finished)
                        .endTerminated()
                        .endState()
                        .build())
                .endStatus());
    Job now = admin.batch().v1().jobs().inNamespace(ns).withName(job.getMetadata().getName()).get();
    if (disrupted) {
      // the Eviction API deletes the pod; podFailurePolicy Ignore: the Job makes a new one
      admin.pods().inNamespace(ns).withName(name).delete();
      if (now != null && !finished(now)) {
        createPod(now);
      }
      return;
    }
    if (now != null && !finished(now)) {
      finishJob(
          now,
          code == 0 ? "Complete" : "Failed",
          code == 0 ? "" : "BackoffLimitExceeded",
          code == 0 ? 1 : 0);
    }
  }

  private void waiting(String ns, String name, String reason, String message) {
    editStatus(
        ns,
        name,
        b ->
            b.editOrNewStatus()
                .withContainerStatuses(
                    new ContainerStatusBuilder()
                        .withName("runner")
                        .withReady(false)
                        .withNewState()
                        .withNewWaiting()
                        .withReason(reason)
                        .withMessage(message)
                        .endWaiting()
                        .endState()
                        .build())
                .endStatus());
  }

  private static PodCondition condition(String type) {
    return new PodConditionBuilder()
        .withType(type)
        .withStatus("True")
        .withLastTransitionTime(Instant.now().toString())
        .build();
  }

  private void editStatus(
      String ns, String name, java.util.function.UnaryOperator<PodBuilder> change) {
    try {
      admin
          .pods()
          .inNamespace(ns)
          .withName(name)
          .editStatus(p -> change.apply(new PodBuilder(p)).build());
    } catch (KubernetesClientException e) {
      LOG.log(Level.DEBUG, "status of {0}: {1}", name, e.getMessage()); // deleted meanwhile
    }
  }

  private static String key(Pod p) {
    return p.getMetadata().getNamespace() + "/" + p.getMetadata().getName();
  }

  @Override
  public void close() {
    jobs.close();
    pods.close();
    processes.values().forEach(p -> p.toHandle().destroyForcibly());
    timers.shutdownNow();
    front.close();
    admin.close();
    server.destroy();
  }

  /** The CRUD store, answering some Job creates and deletes with a fault instead. */
  private final class Faulty extends KubernetesCrudDispatcher {
    @Override
    public MockResponse dispatch(RecordedRequest request) {
      MockResponse response = answer(request);
      if (response.getWebSocketListener() == null) {
        // every request gets a connection of its own, so the front can route it (see ApiFront)
        response.setHeader("Connection", "close");
      }
      return response;
    }

    private MockResponse answer(RecordedRequest request) {
      String method = request.getMethod();
      if (request.getPath().contains("/jobs")
          && (method.equals("POST") || method.equals("DELETE"))) {
        if (refusal != 0) {
          return new MockResponse()
              .setResponseCode(refusal)
              .setBody(
                  "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                      + "\"message\":\"jobs.batch is forbidden: User"
                      + " \\\"system:serviceaccount:mayfly-test:app\\\" cannot create resource"
                      + " \\\"jobs\\\" in API group \\\"batch\\\"\",\"reason\":\"Forbidden\",\"code\":"
                      + refusal
                      + "}");
        }
        double r;
        int which;
        synchronized (random) {
          r = random.nextDouble();
          which = random.nextInt(3);
        }
        boolean forced = faultsToInject.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
        if (forced || r < faultRate) {
          faults.incrementAndGet();
          int code = new int[] {500, 503, 429}[which];
          return new MockResponse()
              .setResponseCode(code)
              .setBody(
                  "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":\"injected\",\"code\":"
                      + code
                      + "}");
        }
      }
      return super.dispatch(request);
    }
  }
}
