package dev.mayfly.launch.local;

import dev.mayfly.launch.Launcher;
import dev.mayfly.launch.contract.ContractProcess;
import dev.mayfly.launch.contract.LauncherContract;
import java.time.Duration;
import java.time.InstantSource;
import org.junit.jupiter.api.Tag;

@Tag("processes")
class LocalLauncherContractTest extends LauncherContract {
  @Override
  protected Launcher newLauncher() {
    return new LocalLauncher(
        LocalOptions.defaults()
            .withMainClass(ContractProcess.class.getName())
            .withStopGrace(Duration.ofSeconds(5))
            .withStartupCache(null),
        InstantSource.system());
  }
}
