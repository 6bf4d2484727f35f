package dev.mayfly.kubernetes;

import dev.mayfly.kubernetes.emulator.KubernetesEmulator;
import dev.mayfly.launch.Launcher;
import dev.mayfly.launch.contract.ContractProcess;
import dev.mayfly.launch.contract.LauncherContract;
import java.time.InstantSource;
import org.junit.jupiter.api.Tag;

/** The launcher contract on emulated pods, their output followed through pods/log. */
@Tag("processes")
class KubernetesLauncherContractTest extends LauncherContract {
  private static final String IMAGE = "registry.example/contract:1";
  private KubernetesEmulator cluster;

  @Override
  protected Launcher newLauncher() {
    cluster =
        KubernetesEmulator.start()
            .image(IMAGE, KubernetesTestJobs.javaImage(ContractProcess.class.getName()));
    return new KubernetesLauncher(
        new KubernetesConfig(IMAGE, KubernetesConfig.DEFAULT_COMMAND, null, null, null, 10),
        cluster.client("contract"),
        InstantSource.system());
  }

  @Override
  protected void afterLauncherClosed() {
    cluster.close();
  }
}
