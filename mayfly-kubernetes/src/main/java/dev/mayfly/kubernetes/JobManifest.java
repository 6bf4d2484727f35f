package dev.mayfly.kubernetes;

import dev.mayfly.launch.LaunchException;
import dev.mayfly.launch.LaunchRequest;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Job a runner runs as: one pod, never retried by Kubernetes ({@code backoffLimit: 0}, {@code
 * restartPolicy: Never}) but replaced when disrupted before it started ({@code podFailurePolicy}
 * Ignore on {@code DisruptionTarget}, {@code podReplacementPolicy: Failed}), ended at the runner's
 * time-to-live ({@code activeDeadlineSeconds}) and deleted a while after it finished ({@code
 * ttlSecondsAfterFinished}); labelled so that the launcher's informer sees its pods, sized from the
 * queue's size, and given the app's Secret by reference, never the database URL inline.
 */
final class JobManifest {
  static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  static final String RUNNER_LABEL = "mayfly.dev/runner";
  static final String QUEUE_LABEL = "mayfly.dev/queue";

  /** Finished Jobs stay this long for {@code kubectl} and logs, then go with their pods. */
  static final int TTL_AFTER_FINISHED_SECONDS = 600;

  private JobManifest() {}

  /** The Job for one runner, in {@code namespace}. */
  static Job job(KubernetesConfig config, String namespace, LaunchRequest request)
      throws LaunchException {
    if (config.secret() == null && request.env().containsKey(KubernetesLauncher.RUNNER_DATABASE)) {
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
        .filter(e -> !e.getKey().equals(KubernetesLauncher.RUNNER_DATABASE)) // from the Secret
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
}
