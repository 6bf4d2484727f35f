package dev.mayfly.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mayfly.kubernetes.emulator.KubernetesEmulator;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KubernetesConfigTest {
  @Test
  void readsTheEnvironmentWithDefaults() {
    KubernetesConfig c =
        KubernetesConfig.fromEnv(
            Map.of(
                "MAYFLY_KUBERNETES_IMAGE", "registry.example/app:7",
                "MAYFLY_KUBERNETES_SECRET", "app-db",
                "MAYFLY_KUBERNETES_COMMAND",
                    "java -cp /work/app.jar dev.mayfly.runner.RunnerMain"));
    assertThat(c.image()).isEqualTo("registry.example/app:7");
    assertThat(c.secret()).isEqualTo("app-db");
    assertThat(c.command())
        .isEqualTo(List.of("java", "-cp", "/work/app.jar", "dev.mayfly.runner.RunnerMain"));
    assertThat(c.namespace()).isNull();
    assertThat(c.requestsPerSecond()).isEqualTo(10);
    assertThat(KubernetesConfig.fromEnv(Map.of("MAYFLY_KUBERNETES_IMAGE", "x")).command())
        .isEqualTo(KubernetesConfig.DEFAULT_COMMAND);
  }

  @Test
  void isChosenByAutoOnlyWithAnImageAndAClusterToReach() {
    assertThat(KubernetesConfig.isConfigured(Map.of("MAYFLY_KUBERNETES_IMAGE", "x"))).isFalse();
    assertThat(
            KubernetesConfig.isConfigured(
                Map.of("MAYFLY_KUBERNETES_IMAGE", "x", "KUBECONFIG", "/home/me/.kube/config")))
        .isTrue();
    assertThat(
            KubernetesConfig.isConfigured(
                Map.of("MAYFLY_KUBERNETES_IMAGE", "x", "KUBERNETES_SERVICE_HOST", "10.0.0.1")))
        .isTrue();
  }

  @Test
  void badSettingsSayWhatToChange() {
    assertThatThrownBy(() -> KubernetesConfig.fromEnv(Map.of()))
        .hasMessageContaining("needs MAYFLY_KUBERNETES_IMAGE");
    assertThatThrownBy(
            () ->
                KubernetesConfig.fromEnv(
                    Map.of("MAYFLY_KUBERNETES_IMAGE", "x", "MAYFLY_KUBERNETES_QPS", "fast")))
        .hasMessageContaining("MAYFLY_KUBERNETES_QPS must be a number")
        .hasMessageContaining("'fast'");
    assertThatThrownBy(() -> KubernetesConfig.resources("huge"))
        .hasMessageContaining("size 'huge'")
        .hasMessageContaining("500m/1Gi");
  }

  @Test
  void sizesAreBuiltInNamesHerokusOrCpuSlashMemory() {
    assertThat(KubernetesConfig.resources("small"))
        .isEqualTo(new KubernetesConfig.Resources("250m", "512Mi"));
    assertThat(KubernetesConfig.resources("standard-2x"))
        .isEqualTo(KubernetesConfig.resources("medium"));
    assertThat(KubernetesConfig.resources("1500m/3Gi"))
        .isEqualTo(new KubernetesConfig.Resources("1500m", "3Gi"));
  }

  @Test
  void aKubeconfigContextMayNameTheImageAndSecretAndTheEnvironmentWins(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("config");
    try (KubernetesEmulator cluster = KubernetesEmulator.start()) {
      cluster.writeKubeconfig(file, "jobs", Map.of("image", "app:3", "secret", "db"));
    }
    Map<String, String> env = Map.of("KUBECONFIG", file.toString());
    assertThat(KubernetesConfig.isConfigured(env)).isTrue();
    KubernetesConfig c = KubernetesConfig.fromEnv(env);
    assertThat(c.image()).isEqualTo("app:3");
    assertThat(c.secret()).isEqualTo("db");
    assertThat(
            KubernetesConfig.fromEnv(
                    Map.of("KUBECONFIG", file.toString(), "MAYFLY_KUBERNETES_IMAGE", "app:4"))
                .image())
        .isEqualTo("app:4");
    // a kubeconfig without the extension names nothing
    Path plain = dir.resolve("plain");
    try (KubernetesEmulator cluster = KubernetesEmulator.start()) {
      cluster.writeKubeconfig(plain, "jobs");
    }
    assertThat(KubernetesConfig.isConfigured(Map.of("KUBECONFIG", plain.toString()))).isFalse();
  }
}
