package dev.mayfly.kubernetes.emulator;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.util.LinkedHashMap;
import java.util.Map;

/** Jobs of the shape Mayfly's launcher gives a runner, whose container runs a shell script. */
final class RunnerJobs {
  private RunnerJobs() {}

  /**
   * A Job as the launcher makes one (its labels, one pod that is never retried, a deadline, a
   * time-to-live after it finished, the Secret by reference unless {@code secret} is empty) whose
   * container runs {@code script} in {@code sh}.
   */
  static Job of(String name, String image, String script, String secret) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("app.kubernetes.io/managed-by", "mayfly");
    labels.put("mayfly.dev/runner", name.replaceFirst("^mayfly-", ""));
    labels.put("mayfly.dev/queue", "default");
    ContainerBuilder container =
        new ContainerBuilder().withName("runner").withImage(image).withCommand("sh", "-c", script);
    if (!secret.isEmpty()) {
      container.addNewEnvFrom().withNewSecretRef().withName(secret).endSecretRef().endEnvFrom();
    }
    return new JobBuilder()
        .withNewMetadata()
        .withName(name)
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withBackoffLimit(0)
        .withActiveDeadlineSeconds(600L)
        .withTtlSecondsAfterFinished(600)
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
        .withContainers(container.build())
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }
}
