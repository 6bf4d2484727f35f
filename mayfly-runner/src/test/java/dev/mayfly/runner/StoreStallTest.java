package dev.mayfly.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mayfly.internal.jobs.JobInstances;
import dev.mayfly.internal.jobs.JobTypes;
import dev.mayfly.protocol.RunnerSettings;
import dev.mayfly.store.JobStore;
import dev.mayfly.store.NewRunner;
import dev.mayfly.store.StoreStall;
import dev.mayfly.store.connect.JobStores;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreStallTest {
  @TempDir Path dir;
  private final AtomicLong nanos = new AtomicLong();
  private final List<String> warnings = new CopyOnWriteArrayList<>();
  private final StoreStall stall = new StoreStall(nanos::get, warnings::add);

  @Test
  void aCallOfFiveSecondsOrMoreIsNamedWithHowLongItTook() {
    assertThat(stall.time("claim", () -> nanos.addAndGet(4_900_000_000L))).isPositive();
    assertThat(warnings).as("under five seconds").isEmpty();

    stall.time("claim", () -> nanos.addAndGet(20_300_000_000L));

    assertThat(warnings)
        .singleElement()
        .asString()
        .startsWith("store call 'claim' took 20.3 s (5 s or more is slow)")
        .contains("the database is slow or stalled");
  }

  @Test
  void aSlowCallThatFailsIsToldToo() {
    assertThatThrownBy(
            () ->
                stall.time(
                    "heartbeat",
                    () -> {
                      nanos.addAndGet(6_000_000_000L);
                      throw new IllegalStateException("connection reset");
                    }))
        .hasMessage("connection reset");
    assertThat(warnings).singleElement().asString().startsWith("store call 'heartbeat' took 6.0 s");
  }

  @Test
  void aRunnerSaysInItsOutputWhenItsStoreCallsStall() {
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    try (JobStore store = JobStores.open(dir.resolve("mayfly.db").toString())) {
      Instant now = Instant.now();
      String id =
          store
              .fleet()
              .reserveRunners(new NewRunner("default", "test", null, now), 1, 1)
              .getFirst();
      JobTypes types = JobTypes.of(List.of(TestJobs.Noop.class));
      RunnerSettings settings =
          new RunnerSettings(
              id,
              "default",
              "unused",
              types.encode(),
              1,
              Duration.ofMillis(50),
              now.plus(Duration.ofMinutes(10)),
              Duration.ofMillis(20),
              Duration.ofSeconds(30),
              Duration.ofSeconds(1),
              1,
              true);
      // Every reading of the ticker is six seconds after the one before: each call looks slow.
      new Runner(
              settings,
              store,
              types,
              InstantSource.system(),
              () -> nanos.addAndGet(6_000_000_000L),
              new PrintStream(output, true),
              JobInstances.CONSTRUCTOR)
          .run();
    }
    assertThat(output.toString()).contains("store call 'report in and claim' took 6.0 s");
  }
}
