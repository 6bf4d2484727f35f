package dev.mayfly.kubernetes.emulator;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The emulated node: binds a pod to itself, runs its container as a local process (an image is a
 * command, see {@link KubernetesEmulator#image}), keeps what it prints ({@link PodLog}) and reports
 * its status, as a kubelet does; a pod of an unknown image waits in {@code ErrImagePull}, then
 * {@code ImagePullBackOff}, one whose {@code envFrom} Secret is missing in {@code
 * CreateContainerConfigError}.
 *
 * <p>Deleting a pod whose container runs is graceful, as on a cluster: the pod is marked ({@code
 * deletionTimestamp}, {@code deletionGracePeriodSeconds}) and stays, {@code Terminating}, while its
 * process has SIGTERM and the grace period (SIGKILL after it); once the process has ended, its
 * status says how, and only then does the pod go. A finalizer of the kubelet's own, which clients
 * never see (see {@link Resources#present}), keeps it in the store meanwhile.
 */
final class Kubelet {
  static final String FINALIZER = "mayfly.dev/emulated-kubelet";
  static final String NODE = "emulated-node";
  private static final String IP = "127.0.0.1";

  /** A pod's {@code terminationGracePeriodSeconds} when it gives none, Kubernetes' default. */
  private static final long GRACE_SECONDS = 30;

  /** What the kubelet tells the Job controller. */
  interface Owner {
    void podRunning(Pod pod);

    void podEnded(Pod pod, int exitCode, boolean disrupted);
  }

  private final KubernetesClient admin;
  private final Pods pods;
  private final Events events;
  private final ScheduledExecutorService timers;
  private final Map<String, List<String>> images;
  private final Map<String, PodLog> logs = new ConcurrentHashMap<>();
  private final Map<String, Process> processes = new ConcurrentHashMap<>();
  private final Set<String> evicted = ConcurrentHashMap.newKeySet();
  private final Set<String> terminating = ConcurrentHashMap.newKeySet();
  private final AtomicInteger running = new AtomicInteger();
  private final AtomicInteger maxRunning = new AtomicInteger();

  /** Held while a pod is started or deleted, so that no process starts for a deleted pod. */
  private final Object lifecycle = new Object();

  private volatile @Nullable Owner owner;

  Kubelet(
      KubernetesClient admin,
      Store store,
      Events events,
      ScheduledExecutorService timers,
      Map<String, List<String>> images) {
    this.admin = admin;
    this.pods = new Pods(admin, store);
    this.events = events;
    this.timers = timers;
    this.images = images;
  }

  void owner(Owner owner) {
    this.owner = owner;
  }

  @Nullable PodLog log(String namespace, String pod) {
    return logs.get(namespace + "/" + pod);
  }

  int maxRunning() {
    return maxRunning.get();
  }

  List<String> runningPods() {
    return List.copyOf(processes.keySet());
  }

  /** Binds the pod to this node and starts its container, unless it was deleted meanwhile. */
  void start(String ns, String name) {
    Pod pod;
    Container c;
    List<String> command;
    Map<String, String> env = new HashMap<>();
    synchronized (lifecycle) {
      Pod found = pods.get(ns, name);
      if (found == null || found.getMetadata().getDeletionTimestamp() != null) {
        return;
      }
      pods.edit(ns, name, b -> b.editSpec().withNodeName(NODE).endSpec());
      pod =
          pods.editStatus(
              ns,
              name,
              b ->
                  b.editOrNewStatus()
                      .withConditions(Pods.condition("PodScheduled", true, null))
                      .withHostIP(IP)
                      .withQosClass(Pods.qos(found))
                      .endStatus());
      if (pod == null) {
        return;
      }
      events.record(
          pod,
          Events.NORMAL,
          "Scheduled",
          "Successfully assigned " + ns + "/" + name + " to " + NODE,
          "default-scheduler",
          null,
          null);
      c = pod.getSpec().getContainers().getFirst();
      List<String> content = images.get(c.getImage());
      if (content == null) {
        pullFailed(pod, c);
        return;
      }
      command = new ArrayList<>(content);
      if (command.isEmpty()) {
        command.addAll(c.getCommand() == null ? List.of() : c.getCommand());
        command.addAll(c.getArgs() == null ? List.of() : c.getArgs());
      }
      events.record(
          pod,
          Events.NORMAL,
          "Pulled",
          "Container image \"" + c.getImage() + "\" already present on machine",
          "kubelet",
          NODE,
          Pods.field(c));
      for (EnvFromSource from :
          c.getEnvFrom() == null ? List.<EnvFromSource>of() : c.getEnvFrom()) {
        if (from.getSecretRef() == null) {
          continue;
        }
        Secret s = admin.secrets().inNamespace(ns).withName(from.getSecretRef().getName()).get();
        if (s == null) {
          String message = "secret \"" + from.getSecretRef().getName() + "\" not found";
          waiting(ns, name, c, "CreateContainerConfigError", message);
          events.record(
              pod, Events.WARNING, "Failed", "Error: " + message, "kubelet", NODE, Pods.field(c));
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
      for (EnvVar e : c.getEnv() == null ? List.<EnvVar>of() : c.getEnv()) {
        env.put(e.getName(), e.getValue() == null ? "" : e.getValue());
      }
      env.put("HOSTNAME", name);
      if (!run(pod, c, command, env)) {
        return;
      }
    }
    Owner o = owner;
    if (o != null) {
      o.podRunning(pod);
    }
  }

  private boolean run(Pod pod, Container c, List<String> command, Map<String, String> env) {
    String ns = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      waiting(ns, name, c, "RunContainerError", String.valueOf(e.getMessage()));
      events.record(
          pod,
          Events.WARNING,
          "Failed",
          "Error: " + e.getMessage(),
          "kubelet",
          NODE,
          Pods.field(c));
      return false;
    }
    events.record(
        pod,
        Events.NORMAL,
        "Created",
        "Created container: " + c.getName(),
        "kubelet",
        NODE,
        Pods.field(c));
    String key = ns + "/" + name;
    // the log exists before the status says Running, so a client that sees it can read it
    PodLog log = new PodLog();
    logs.put(key, log);
    processes.put(key, p);
    maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
    String started = Wire.now();
    pods.editStatus(
        ns,
        name,
        b ->
            b.editOrNewStatus()
                .withPhase("Running")
                .withStartTime(started)
                .withPodIP(IP)
                .withPodIPs(new PodIP(IP))
                .withHostIPs(new io.fabric8.kubernetes.api.model.HostIP(IP))
                .withConditions(
                    Pods.condition("PodReadyToStartContainers", true, null),
                    Pods.condition("Initialized", true, null),
                    Pods.condition("Ready", true, null),
                    Pods.condition("ContainersReady", true, null),
                    Pods.condition("PodScheduled", true, null))
                .withContainerStatuses(
                    Pods.status(c, p)
                        .withReady(true)
                        .withStarted(true)
                        .withNewState()
                        .withNewRunning()
                        .withStartedAt(started)
                        .endRunning()
                        .endState()
                        .build())
                .endStatus());
    events.record(
        pod,
        Events.NORMAL,
        "Started",
        "Started container " + c.getName(),
        "kubelet",
        NODE,
        Pods.field(c));
    Thread.ofVirtual()
        .start(
            () -> {
              // stdout and stderr, line by line, as the container runtime keeps them
              try (var out =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
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
              exited(pod, c, p, started, code);
            });
    return true;
  }

  private void exited(Pod pod, Container c, Process p, String started, int code) {
    String ns = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    String key = ns + "/" + name;
    boolean disrupted = evicted.remove(key);
    boolean deleted = terminating.remove(key);
    String phase = code == 0 ? "Succeeded" : "Failed";
    String finished = Wire.now();
    String why = code == 0 ? "PodCompleted" : "PodFailed";
    Pod ended =
        pods.editStatus(
            ns,
            name,
            b ->
                b.editOrNewStatus()
                    .withPhase(phase)
                    .removeMatchingFromConditions(
                        cond -> List.of("Ready", "ContainersReady").contains(cond.getType()))
                    .addToConditions(Pods.condition("Ready", false, why))
                    .addToConditions(Pods.condition("ContainersReady", false, why))
                    .withContainerStatuses(
                        Pods.status(c, p)
                            .withReady(false)
                            .withStarted(false)
                            .withNewState()
                            .withNewTerminated()
                            .withExitCode(code)
                            .withReason(code == 0 ? "Completed" : "Error")
                            .withStartedAt(started)
                            .withFinishedAt(finished)
                            .withContainerID("emulated://" + p.pid())
                            .endTerminated()
                            .endState()
                            .build())
                    .endStatus());
    if (deleted || disrupted) {
      // the kubelet's last word on a deleted pod: its status is final, so it may go
      pods.release(ns, name);
    }
    Owner o = owner;
    if (o != null) {
      o.podEnded(ended == null ? pod : ended, code, disrupted);
    }
  }

  /**
   * Deletes a pod as the API server and kubelet do together: one whose container runs is marked and
   * stays until its process, given SIGTERM, has ended (SIGKILL after {@code graceSeconds}, the
   * pod's {@code terminationGracePeriodSeconds} by default); any other goes at once. Returns the
   * pod as the delete left it, or null if there is none.
   */
  @Nullable Pod delete(String ns, String name, @Nullable Long graceSeconds) {
    String key = ns + "/" + name;
    Pod marked;
    long grace;
    synchronized (lifecycle) {
      Pod pod = pods.get(ns, name);
      if (pod == null) {
        return null;
      }
      Long own = pod.getSpec() == null ? null : pod.getSpec().getTerminationGracePeriodSeconds();
      grace = Math.max(0, graceSeconds != null ? graceSeconds : own != null ? own : GRACE_SECONDS);
      Process p = processes.get(key);
      if (p == null || !p.isAlive()) {
        if (pod.getMetadata().getFinalizers().contains(FINALIZER)) {
          pods.release(ns, name);
        } else {
          pods.delete(ns, name);
        }
        return pod;
      }
      if (pod.getMetadata().getDeletionTimestamp() != null) {
        if (grace == 0) {
          kill(p, true);
        }
        return pod;
      }
      List<String> finalizers = new ArrayList<>(pod.getMetadata().getFinalizers());
      finalizers.add(FINALIZER);
      Map<String, Object> metadata = new java.util.LinkedHashMap<>();
      metadata.put("finalizers", finalizers);
      metadata.put("deletionTimestamp", Wire.time(Instant.now().plusSeconds(grace)));
      metadata.put("deletionGracePeriodSeconds", grace);
      marked = pods.patchMetadata(ns, name, metadata);
      if (marked == null) {
        return pod;
      }
      terminating.add(key);
      Container c = pod.getSpec().getContainers().getFirst();
      events.record(
          marked,
          Events.NORMAL,
          "Killing",
          "Stopping container " + c.getName(),
          "kubelet",
          NODE,
          Pods.field(c));
      kill(p, grace == 0);
    }
    if (grace > 0) {
      Process p = processes.get(key);
      if (p != null) {
        var unused = timers.schedule(() -> kill(p, true), grace, TimeUnit.SECONDS);
      }
    }
    return marked;
  }

  /**
   * Disrupts a running pod as the Eviction API does for a drain: a {@code DisruptionTarget}
   * condition, then a graceful delete. False if it runs no process.
   */
  boolean evict(String ns, String name) {
    String key = ns + "/" + name;
    if (processes.get(key) == null) {
      return false;
    }
    evicted.add(key);
    pods.editStatus(
        ns,
        name,
        b ->
            b.editOrNewStatus()
                .addToConditions(
                    new PodConditionBuilder()
                        .withType("DisruptionTarget")
                        .withStatus("True")
                        .withReason("EvictionByEvictionAPI")
                        .withMessage("Eviction API: evicting")
                        .withLastTransitionTime(Wire.now())
                        .build())
                .endStatus());
    delete(ns, name, null);
    return true;
  }

  /**
   * Why a pod has no log yet, as the API server says it ({@code container "c" in pod "p" is waiting
   * to start: ...}); null if there is no such pod.
   */
  @Nullable String waiting(String namespace, String name) {
    Pod pod = pods.get(namespace, name);
    if (pod == null) {
      return null;
    }
    String reason = "ContainerCreating";
    var statuses =
        pod.getStatus() == null
            ? List.<io.fabric8.kubernetes.api.model.ContainerStatus>of()
            : pod.getStatus().getContainerStatuses();
    for (var s : statuses) {
      String why =
          s.getState() == null || s.getState().getWaiting() == null
              ? null
              : s.getState().getWaiting().getReason();
      if (why != null) {
        reason =
            why.equals("ErrImagePull") || why.endsWith("ImagePullBackOff")
                ? "trying and failing to pull image"
                : why;
      }
    }
    return "container \""
        + pod.getSpec().getContainers().getFirst().getName()
        + "\" in pod \""
        + name
        + "\" is waiting to start: "
        + reason;
  }

  /** A pod deleted past the kubelet (straight from the store): its process is stopped too. */
  void gone(Pod pod) {
    String key = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    logs.remove(key); // a pod's log goes with it
    Process p = processes.get(key);
    if (p != null && !terminating.contains(key)) {
      kill(p, false);
      var unused = timers.schedule(() -> kill(p, true), GRACE_SECONDS, TimeUnit.SECONDS);
    }
  }

  private static void kill(Process p, boolean forcibly) {
    ProcessHandle h = p.toHandle();
    if (forcibly) {
      h.descendants().forEach(ProcessHandle::destroyForcibly);
      h.destroyForcibly();
    } else {
      h.descendants().forEach(ProcessHandle::destroy);
      h.destroy();
    }
  }

  void close() {
    processes.values().forEach(p -> kill(p, true));
  }

  private void pullFailed(Pod pod, Container c) {
    String ns = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    events.record(
        pod,
        Events.NORMAL,
        "Pulling",
        "Pulling image \"" + c.getImage() + "\"",
        "kubelet",
        NODE,
        Pods.field(c));
    String message = "failed to pull and unpack image \"" + c.getImage() + "\": not found";
    waiting(ns, name, c, "ErrImagePull", message);
    events.record(
        pod,
        Events.WARNING,
        "Failed",
        "Failed to pull image \"" + c.getImage() + "\": " + message,
        "kubelet",
        NODE,
        Pods.field(c));
    events.record(
        pod, Events.WARNING, "Failed", "Error: ErrImagePull", "kubelet", NODE, Pods.field(c));
    var unused =
        timers.schedule(
            () -> {
              if (waiting(
                  ns,
                  name,
                  c,
                  "ImagePullBackOff",
                  "Back-off pulling image \"" + c.getImage() + "\"")) {
                events.record(
                    pod,
                    Events.NORMAL,
                    "BackOff",
                    "Back-off pulling image \"" + c.getImage() + "\"",
                    "kubelet",
                    NODE,
                    Pods.field(c));
                events.record(
                    pod,
                    Events.WARNING,
                    "Failed",
                    "Error: ImagePullBackOff",
                    "kubelet",
                    NODE,
                    Pods.field(c));
              }
            },
            1,
            TimeUnit.SECONDS);
  }

  private boolean waiting(String ns, String name, Container c, String reason, String message) {
    return pods.editStatus(
            ns,
            name,
            b ->
                b.editOrNewStatus()
                    .withContainerStatuses(
                        Pods.status(c, null)
                            .withReady(false)
                            .withStarted(false)
                            .withNewState()
                            .withNewWaiting()
                            .withReason(reason)
                            .withMessage(message)
                            .endWaiting()
                            .endState()
                            .build())
                    .endStatus())
        != null;
  }
}
