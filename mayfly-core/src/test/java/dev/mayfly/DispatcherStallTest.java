package dev.mayfly;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DispatcherStallTest {
  @TempDir Path dir;
  private final List<String> warnings = new CopyOnWriteArrayList<>();
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          warnings.add(String.valueOf(r.getMessage()));
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  /** Held, so the logger and its handler are not collected before the dispatcher logs. */
  private final Logger dispatchLog = Logger.getLogger("dev.mayfly.dispatch");

  @Test
  void aStoreCallOfTheDispatcherThatTakesSecondsIsWarnedOfByName() {
    AtomicLong nanos = new AtomicLong();
    MayflyConfig config =
        MayflyConfig.builder()
            .database(dir.resolve("m.db").toString())
            .environment(Map.of())
            .jobs(CoreTestJobs.Work.class)
            // each reading six seconds after the one before: every call looks stalled
            .ticker(() -> nanos.addAndGet(6_000_000_000L))
            .build();
    dispatchLog.addHandler(capture);
    try (Mayfly mayfly = Mayfly.create(config)) {
      mayfly.runOnce();
    } finally {
      dispatchLog.removeHandler(capture);
    }
    assertThat(warnings)
        .anySatisfy(w -> assertThat(w).startsWith("store call 'recover' took 6.0 s"))
        .anySatisfy(w -> assertThat(w).startsWith("store call 'demand' took 6.0 s"));
  }

  @Test
  void aDispatcherWhoseStoreAnswersAtOnceWarnsOfNothing() {
    MayflyConfig config =
        MayflyConfig.builder()
            .database(dir.resolve("m.db").toString())
            .environment(Map.of())
            .jobs(CoreTestJobs.Work.class)
            .build();
    dispatchLog.addHandler(capture);
    try (Mayfly mayfly = Mayfly.create(config)) {
      mayfly.runOnce();
    } finally {
      dispatchLog.removeHandler(capture);
    }
    assertThat(warnings).noneMatch(w -> w.startsWith("store call"));
  }
}
