package dev.mayfly.kubernetes;

import dev.mayfly.launch.LaunchRequest;
import dev.mayfly.launch.Launcher;
import dev.mayfly.launch.contract.LauncherContract;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The launcher contract on a real cluster, opt-in: {@code MAYFLY_TEST_KUBECONFIG} names a
 * kubeconfig whose context may create Jobs (the Role in docs/kubernetes.md) in its namespace.
 * Runners are shell commands in {@code MAYFLY_TEST_KUBERNETES_IMAGE} (default {@code
 * busybox:1.36}), which behave as {@code ContractProcess} does.
 */
@Tag("processes")
@EnabledIfEnvironmentVariable(named = "MAYFLY_TEST_KUBECONFIG", matches = ".+")
class RealClusterLauncherContractTest extends LauncherContract {
  @Override
  protected Launcher newLauncher() {
    Map<String, String> env = System.getenv();
    return new KubernetesLauncher(
        new KubernetesConfig(
            env.getOrDefault("MAYFLY_TEST_KUBERNETES_IMAGE", "busybox:1.36"),
            KubernetesConfig.DEFAULT_COMMAND,
            null,
            null,
            null,
            5),
        KubernetesLauncherProvider.client(Map.of("KUBECONFIG", env.get("MAYFLY_TEST_KUBECONFIG"))),
        InstantSource.system());
  }

  @Override
  protected LaunchRequest request(String runnerId, String behaviour, Duration timeToLive) {
    // unique per run: a real cluster keeps failed Jobs for their time-to-live
    String id = runnerId + "-" + Long.toString(System.nanoTime() % 100_000, 36);
    return shellRequest(id, behaviour, timeToLive, output::add);
  }

  /** A runner that is a shell command doing what {@code ContractProcess} does. */
  static LaunchRequest shellRequest(
      String runnerId,
      String behaviour,
      Duration timeToLive,
      java.util.function.Consumer<String> output) {
    String[] what = behaviour.split(" ");
    String script =
        switch (what[0]) {
          case "exit" -> "exit " + what[1];
          case "print" ->
              "i=0; while [ $i -lt " + what[1] + " ]; do echo line $i; i=$((i+1)); done";
          case "sleep" -> "echo sleeping; exec sleep 100000";
          case "crash" -> "echo 'contract crash: the runner cannot start' >&2; exit 1";
          default -> throw new IllegalArgumentException(behaviour);
        };
    return new LaunchRequest(runnerId, "contract", Map.of(), timeToLive, "small", output, script);
  }
}
