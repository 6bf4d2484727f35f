package dev.mayfly.kubernetes;

import static dev.mayfly.kubernetes.PodStatus.disrupted;
import static dev.mayfly.kubernetes.PodStatus.disruption;
import static dev.mayfly.kubernetes.PodStatus.exitCode;
import static dev.mayfly.kubernetes.PodStatus.started;
import static dev.mayfly.kubernetes.PodStatus.terminated;

import dev.mayfly.kubernetes.PodStatus.Ended;
import dev.mayfly.launch.LaunchException;
import dev.mayfly.launch.RunnerExit;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The launcher's watch on its runners' pods: one informer on Mayfly's pods in the namespace, and
 * the runners whose end is not yet told. A pod that runs has its log followed ({@link
 * PodLogFollower}) and names its runner from then on; a pod that ended, cannot start, or was
 * disrupted after it started ends its runner's handle with why, once its log was read, its Job
 * deleted first where no one needs it any more.
 */
final class RunnerPods {
  /** How long a runner's end waits for the rest of its pod's log. */
  private static final long LOG_TAIL_SECONDS = 5;

  private final KubernetesClient client;
  private final String namespace;
  private final InstantSource clock;
  private final RequestPace pace;
  private final Consumer<String> deleteJob;

  /** The runners whose end is not yet told, by Job name. */
  private final Map<String, Launched> launched = new ConcurrentHashMap<>();

  private final Map<String, PodLogFollower> followers = new ConcurrentHashMap<>();
  private volatile @Nullable SharedIndexInformer<Pod> informer;

  /**
   * @param deleteJob deletes a Job by name, with its pods
   */
  RunnerPods(
      KubernetesClient client,
      String namespace,
      InstantSource clock,
      RequestPace pace,
      Consumer<String> deleteJob) {
    this.client = client;
    this.namespace = namespace;
    this.clock = clock;
    this.pace = pace;
    this.deleteJob = deleteJob;
  }

  /** A runner whose Job is about to be created: its end is told through what this returns. */
  Launched expect(String jobName, Consumer<String> output) {
    Launched runner = new Launched(new CompletableFuture<>(), output, new CompletableFuture<>());
    launched.put(jobName, runner);
    return runner;
  }

  /** A runner whose Job was not created after all. */
  void forget(String jobName) {
    launched.remove(jobName);
  }

  /** Looks at the pods of a Job just created that the informer saw before the create returned. */
  void catchUp(String jobName) {
    of(jobName).forEach(this::seen);
  }

  /** Whether the informer has listed the pods once: before that, it knows of none. */
  boolean synced() {
    SharedIndexInformer<Pod> i = informer;
    return i != null && i.hasSynced();
  }

  /** Starts the informer on Mayfly's pods in the namespace, once. */
  void watch() throws LaunchException {
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
                .withLabel(JobManifest.MANAGED_BY, "mayfly")
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
                + KubernetesLauncher.reason(e)
                + "); the app's service account needs 'list' and 'watch' on 'pods'",
            false,
            e);
      }
    }
  }

  /** The pods of a Job that the informer holds. */
  List<Pod> of(String jobName) {
    SharedIndexInformer<Pod> i = informer;
    if (i == null) {
      return List.of();
    }
    return i.getStore().list().stream().filter(p -> jobName.equals(jobOf(p))).toList();
  }

  private static @Nullable String jobOf(Pod pod) {
    Map<String, String> labels = pod.getMetadata().getLabels();
    String runner = labels == null ? null : labels.get(JobManifest.RUNNER_LABEL);
    return runner == null ? null : JobManifest.jobName(runner);
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
    Ended ended = PodStatus.ended(pod);
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
              deleteJob.accept(job);
            }
            runner.exit().complete(result);
          });
    }
  }

  /**
   * A runner whose end is not yet told: its handle's exit, where its pod's output goes, and its
   * pod's name once one runs.
   */
  record Launched(
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
      Ended ended = PodStatus.ended(pod);
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

  /** Stops the informer and every log being followed. */
  void close() {
    SharedIndexInformer<Pod> i = informer;
    if (i != null) {
      i.close();
    }
    followers.values().forEach(PodLogFollower::stop);
  }
}
