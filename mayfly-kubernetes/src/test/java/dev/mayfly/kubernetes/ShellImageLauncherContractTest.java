package dev.mayfly.kubernetes;

import dev.mayfly.kubernetes.emulator.KubernetesEmulator;
import dev.mayfly.launch.LaunchRequest;
import dev.mayfly.launch.Launcher;
import dev.mayfly.launch.contract.LauncherContract;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import org.junit.jupiter.api.Tag;

/**
 * The contract with runners given as commands ({@code sh -c}) in a general-purpose image, on the
 * emulated cluster: the shape {@link RealClusterLauncherContractTest} uses on a real one.
 */
@Tag("processes")
class ShellImageLauncherContractTest extends LauncherContract {
  private static final String IMAGE = "busybox:1.36";
  private KubernetesEmulator cluster;

  @Override
  protected Launcher newLauncher() {
    cluster = KubernetesEmulator.start().image(IMAGE, List.of());
    return new KubernetesLauncher(
        new KubernetesConfig(IMAGE, KubernetesConfig.DEFAULT_COMMAND, null, null, null, 10),
        cluster.client("contract"),
        InstantSource.system());
  }

  @Override
  protected LaunchRequest request(String runnerId, String behaviour, Duration timeToLive) {
    return RealClusterLauncherContractTest.shellRequest(
        runnerId, behaviour, timeToLive, output::add);
  }

  @Override
  protected void afterLauncherClosed() {
    cluster.close();
  }
}
