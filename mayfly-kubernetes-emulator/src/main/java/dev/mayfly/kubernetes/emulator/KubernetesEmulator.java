package dev.mayfly.kubernetes.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A Kubernetes API server with the two controllers Mayfly's Jobs need, for tests and for trying the
 * launcher without a cluster: fabric8's mock server in CRUD mode stores and watches every object
 * (it runs no controller), and this class adds the Job controller and garbage collector ({@link
 * JobController}), a kubelet that runs each pod as a local process ({@link Kubelet}), the Events
 * they record, and a front ({@link ApiFront}, {@link Resources}) that speaks enough Kubernetes for
 * kubectl and the official clients: discovery, Tables, selectors, watches over HTTP, pod logs,
 * {@code auth can-i} and {@code whoami}, and graceful deletion of pods.
 *
 * <p>An image is a local command: {@link #image} says what running it means. A pod of an unknown
 * image waits in {@code ErrImagePull}, then {@code ImagePullBackOff}, as a cluster that cannot pull
 * it does; a pod whose {@code envFrom} Secret is missing waits in {@code
 * CreateContainerConfigError}. {@link #evict} disrupts a pod as a drain would.
 *
 * <p>It has a module of its own, {@code mayfly-kubernetes-emulator}, with fabric8's mock server:
 * apps that use the launcher get neither, and the launcher's jar holds no class of it.
 */
public final class KubernetesEmulator implements AutoCloseable {
  private final KubernetesMockServer server;
  private final Store store;
  private final ApiFront front;
  private final KubernetesClient admin;
  private final Map<String, List<String>> images = new ConcurrentHashMap<>();
  private final Kubelet kubelet;
  private final JobController controller;
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
    store = new Store(server.getPort());
    Events events = new Events(admin, timers);
    kubelet = new Kubelet(admin, store, events, timers, images);
    controller = new JobController(admin, kubelet, events, timers, random, () -> pendingMillis);
    try {
      ClusterObjects.create(store);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while the emulated cluster started", e);
    }
    front =
        new ApiFront(
            port,
            server.getPort(),
            new ApiFront.Pods() {
              @Override
              public @Nullable PodLog log(String namespace, String pod) {
                return kubelet.log(namespace, pod);
              }

              @Override
              public @Nullable String waiting(String namespace, String name) {
                return kubelet.waiting(namespace, name);
              }
            },
            new Resources.Cluster() {
              @Override
              public @Nullable JsonNode deletePod(
                  String namespace, String name, @Nullable Long graceSeconds) {
                Pod pod = kubelet.delete(namespace, name, graceSeconds);
                return pod == null ? null : Wire.JSON.valueToTree(pod);
              }

              @Override
              public boolean evict(String namespace, String name) {
                return kubelet.evict(namespace, name)
                    || kubelet.delete(namespace, name, 0L) != null;
              }
            },
            store);
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
                    timers.execute(() -> controller.added(job));
                  }

                  @Override
                  public void onUpdate(Job before, Job job) {}

                  @Override
                  public void onDelete(Job job, boolean unknown) {
                    timers.execute(() -> controller.deleted(job));
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
                    kubelet.gone(pod);
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
    namespace(namespace);
    admin.secrets().inNamespace(namespace).resource(s).create();
  }

  /** Makes the namespace, unless there is one. */
  private void namespace(String name) {
    try {
      ClusterObjects.namespace(store, name);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
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
    namespace(namespace);
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
    return kubelet.maxRunning();
  }

  public int podsCreated() {
    return controller.podsCreated();
  }

  /**
   * Disrupts a running pod as the Eviction API does for a drain: a {@code DisruptionTarget}
   * condition, then a graceful delete (SIGTERM, the pod gone once its process ended). False if the
   * pod runs no process.
   */
  public boolean evict(String namespace, String podName) {
    return kubelet.evict(namespace, podName);
  }

  /**
   * Ends every pod log stream being served, as an API server restart does; returns how many ended.
   */
  public int breakLogStreams() {
    return front.breakLogStreams();
  }

  /** Pods running now, as namespace/name. */
  public List<String> runningPods() {
    return kubelet.runningPods();
  }

  @Override
  public void close() {
    jobs.close();
    pods.close();
    kubelet.close();
    timers.shutdownNow();
    front.close();
    store.close();
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

    /**
     * A watch whose end is handled off the server's event loop. The mock server's watch, once its
     * client has closed it, waits on the event loop for its last events to be sent, and sending one
     * waits for the event loop: a client that leaves a watch while an event is on its way (a
     * launcher closed, kubectl stopped) would otherwise stall the server for 30 seconds, and keep
     * it from closing.
     */
    @Override
    public MockResponse handleWatch(String path) {
      MockResponse response = super.handleWatch(path);
      WebSocketListener watch = response.getWebSocketListener();
      return watch == null ? response : response.withWebSocketUpgrade(new OffLoop(watch));
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

  /** A WebSocket listener whose ending calls, which may block, run on a thread of their own. */
  private static final class OffLoop extends WebSocketListener {
    private final WebSocketListener watch;

    OffLoop(WebSocketListener watch) {
      this.watch = watch;
    }

    @Override
    public void onBeforeAccept(WebSocket socket, Response response) {
      watch.onBeforeAccept(socket, response);
    }

    @Override
    public void onOpen(WebSocket socket, Response response) {
      watch.onOpen(socket, response);
    }

    @Override
    public void onMessage(WebSocket socket, String text) {
      watch.onMessage(socket, text);
    }

    @Override
    public void onMessage(WebSocket socket, byte[] bytes) {
      watch.onMessage(socket, bytes);
    }

    @Override
    public void onClosing(WebSocket socket, int code, String reason) {
      watch.onClosing(socket, code, reason);
    }

    @Override
    public void onClosed(WebSocket socket, int code, String reason) {
      Thread.ofVirtual().start(() -> watch.onClosed(socket, code, reason));
    }

    @Override
    public void onFailure(WebSocket socket, Throwable error, Response response) {
      Thread.ofVirtual().start(() -> watch.onFailure(socket, error, response));
    }
  }
}
