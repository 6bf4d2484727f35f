package dev.mayfly.kubernetes;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What a runner's pod status says: whether it ended or will never start, and why, in words that
 * tell the user what to check; whether its container ever ran; whether it was disrupted (evicted,
 * preempted, drained), which Kubernetes answers with a new pod while it has not started.
 */
final class PodStatus {
  /** Waiting reasons that no waiting fixes: the pod will not start. */
  private static final Set<String> CANNOT_START =
      Set.of(
          "ErrImagePull",
          "ImagePullBackOff",
          "InvalidImageName",
          "CreateContainerConfigError",
          "CreateContainerError",
          "RunContainerError");

  private PodStatus() {}

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
  static boolean started(Pod pod) {
    var containers = pod.getStatus().getContainerStatuses();
    return containers != null
        && containers.stream()
            .anyMatch(
                c ->
                    c.getState() != null
                        && (c.getState().getRunning() != null
                            || c.getState().getTerminated() != null));
  }

  static boolean terminated(Pod pod) {
    String phase = pod.getStatus().getPhase();
    return "Failed".equals(phase) || "Succeeded".equals(phase);
  }

  static @Nullable Integer exitCode(Pod pod) {
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

  static String disruption(Pod pod) {
    return pod.getStatus().getConditions().stream()
        .filter(c -> "DisruptionTarget".equals(c.getType()))
        .map(c -> c.getReason() == null ? "DisruptionTarget" : c.getReason())
        .findFirst()
        .orElse("DisruptionTarget");
  }

  static boolean disrupted(Pod pod) {
    List<PodCondition> conditions = pod.getStatus().getConditions();
    return conditions != null
        && conditions.stream()
            .anyMatch(c -> "DisruptionTarget".equals(c.getType()) && "True".equals(c.getStatus()));
  }
}
