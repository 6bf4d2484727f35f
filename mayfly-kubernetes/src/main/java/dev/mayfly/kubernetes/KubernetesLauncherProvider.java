package dev.mayfly.kubernetes;

import dev.mayfly.launch.Launcher;
import dev.mayfly.launch.LauncherProvider;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.InstantSource;
import java.util.Map;

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
  public Launcher create(Map<String, String> env, InstantSource clock) {
    KubernetesConfig config = KubernetesConfig.fromEnv(env);
    return new KubernetesLauncher(config, new KubernetesClientBuilder().build(), clock);
  }
}
