package dev.mayfly.kubernetes;

import dev.mayfly.launch.Launcher;
import dev.mayfly.launch.LauncherProvider;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.File;
import java.time.InstantSource;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Makes {@code kubernetes} selectable, and chosen by {@code auto} when an image is named and a
 * cluster can be reached (in a pod, or through {@code KUBECONFIG}).
 */
public final class KubernetesLauncherProvider implements LauncherProvider {
  @Override
  public String name() {
    return "kubernetes";
  }

  @Override
  public boolean isConfigured(Map<String, String> env) {
    return KubernetesConfig.isConfigured(env);
  }

  @Override
  public Launcher create(Map<String, String> env, InstantSource clock, LongSupplier ticker) {
    KubernetesConfig config = KubernetesConfig.fromEnv(env);
    return new KubernetesLauncher(config, client(env), clock, ticker);
  }

  /**
   * The cluster of the given environment: its {@code KUBECONFIG}'s current context (the first file
   * of a list), else the pod's service account. Read from {@code env}, not the process's own
   * environment, so the configuration Mayfly was given is the one used.
   */
  static KubernetesClient client(Map<String, String> env) {
    String kubeconfig = env.get("KUBECONFIG");
    Config config;
    if (kubeconfig != null && !kubeconfig.isBlank()) {
      File file = new File(kubeconfig.split(File.pathSeparator)[0].trim());
      if (!file.isFile()) {
        throw new IllegalArgumentException(
            "KUBECONFIG names " + file + ", which is not a file; point it at a kubeconfig");
      }
      config = Config.fromKubeconfig(file);
    } else {
      config = Config.autoConfigure(null);
    }
    return new KubernetesClientBuilder().withConfig(config).build();
  }
}
