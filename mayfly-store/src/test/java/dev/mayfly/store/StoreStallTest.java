package dev.mayfly.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class StoreStallTest {
  private final AtomicLong nanos = new AtomicLong();
  private final List<String> warnings = new CopyOnWriteArrayList<>();
  private final StoreStall timer = new StoreStall(nanos::get, warnings::add);

  @Test
  void aCallOfFiveSecondsOrMoreIsNamedByItsOperationWithHowLongItTook() {
    assertThat(timer.time("demand", () -> nanos.addAndGet(4_900_000_000L))).isPositive();
    assertThat(warnings).as("under five seconds").isEmpty();

    timer.run("runnerExited", () -> nanos.addAndGet(7_000_000_000L));

    assertThat(warnings)
        .singleElement()
        .asString()
        .startsWith("store call 'runnerExited' took 7.0 s (5 s or more is slow)")
        .contains("the database is slow or stalled");
  }

  @Test
  void aSlowCallThatFailsIsToldToo() {
    assertThatThrownBy(
            () ->
                timer.time(
                    "recover",
                    () -> {
                      nanos.addAndGet(6_000_000_000L);
                      throw new IllegalStateException("connection reset");
                    }))
        .hasMessage("connection reset");
    assertThat(warnings).singleElement().asString().startsWith("store call 'recover' took 6.0 s");
  }
}
