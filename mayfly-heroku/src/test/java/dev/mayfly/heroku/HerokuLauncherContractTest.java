package dev.mayfly.heroku;

import dev.mayfly.heroku.emulator.HerokuEmulator;
import dev.mayfly.launch.Launcher;
import dev.mayfly.launch.contract.ContractProcess;
import dev.mayfly.launch.contract.LauncherContract;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import org.junit.jupiter.api.Tag;

/** The launcher contract on emulated dynos, their output followed through log sessions. */
@Tag("processes")
class HerokuLauncherContractTest extends LauncherContract {
  private HerokuEmulator emulator;

  @Override
  protected Launcher newLauncher() throws Exception {
    emulator =
        HerokuEmulator.start(
            0,
            new HerokuEmulator.Options(
                "mayfly-contract",
                50,
                0,
                42,
                Map.of(),
                Map.of(
                    "runner",
                    "'"
                        + Path.of(System.getProperty("java.home"), "bin", "java")
                        + "' -XX:TieredStopAtLevel=1 -cp '"
                        + System.getProperty("java.class.path")
                        + "' "
                        + ContractProcess.class.getName()),
                Duration.ofSeconds(5),
                new PrintStream(java.io.OutputStream.nullOutputStream())));
    return new HerokuLauncher(
        HerokuConfig.fromEnv(
            Map.of(
                "HEROKU_API_URL",
                emulator.uri().toString(),
                "HEROKU_API_KEY",
                "contract-key",
                "HEROKU_APP_NAME",
                "mayfly-contract")),
        InstantSource.system());
  }

  @Override
  protected void afterLauncherClosed() {
    emulator.close();
  }
}
