package dev.mayfly.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunnerEnvironmentTest {
  private final RunnerSettings settings =
      new RunnerSettings(
          "r-1",
          "mail",
          "jdbc:sqlite:/x.db",
          "noop=a.B",
          3,
          Duration.ofSeconds(2),
          Instant.parse("2026-01-01T00:10:00Z"),
          Duration.ofMillis(100),
          Duration.ofSeconds(30),
          Duration.ofSeconds(5),
          4,
          false);

  @Test
  void settingsTravelThroughTheEnvironment() {
    assertThat(RunnerEnvironment.decode(RunnerEnvironment.encode(settings, true)))
        .isEqualTo(settings);
  }

  @Test
  void withoutItsOwnDatabaseUrlARunnerOpensThePlatformsDatabaseUrl() {
    Map<String, String> env = new HashMap<>(RunnerEnvironment.encode(settings, false));
    assertThat(env).doesNotContainKey(RunnerEnvironment.DATABASE_URL);
    env.put("DATABASE_URL", "jdbc:sqlite:/x.db");
    assertThat(RunnerEnvironment.decode(env)).isEqualTo(settings);
  }

  @Test
  void outputCapsTravelOnlyWhenTheyAreNotTheDefaults() {
    assertThat(RunnerEnvironment.encode(settings, true))
        .doesNotContainKeys(RunnerEnvironment.MAX_LINE, RunnerEnvironment.MAX_LOG);
    RunnerSettings capped =
        new RunnerSettings(
            "r-1",
            "mail",
            "jdbc:sqlite:/x.db",
            "noop=a.B",
            0,
            Duration.ofSeconds(2),
            Instant.parse("2026-01-01T00:10:00Z"),
            Duration.ofMillis(100),
            Duration.ofSeconds(30),
            Duration.ofSeconds(5),
            RunnerSettings.AUTO_CLAIM_BATCH,
            true,
            1024,
            8192);
    Map<String, String> env = RunnerEnvironment.encode(capped, true);
    assertThat(env).containsEntry(RunnerEnvironment.CLAIM_BATCH, "auto");
    assertThat(RunnerEnvironment.decode(env)).isEqualTo(capped);
  }

  @Test
  void aMissingSettingIsExplained() {
    assertThatThrownBy(() -> RunnerEnvironment.decode(Map.of("MAYFLY_QUEUE", "q")))
        .hasMessageContaining("MAYFLY_RUNNER_ID is not set");
  }

  @Test
  void aClaimBatchThatIsNeitherAutoNorANumberIsExplained() {
    Map<String, String> env = new HashMap<>(RunnerEnvironment.encode(settings, true));
    env.put(RunnerEnvironment.CLAIM_BATCH, "lots");
    assertThatThrownBy(() -> RunnerEnvironment.decode(env))
        .hasMessage("MAYFLY_CLAIM_BATCH must be auto or a whole number, was 'lots'");
  }
}
