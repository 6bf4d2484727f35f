package dev.mayfly.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mayfly.api.LogLine;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeadAndTailTest {
  private final Instant t0 = Instant.parse("2026-01-01T00:00:00Z");

  private LogLine line(int i) {
    return new LogLine(t0.plusMillis(i), "out", "line " + i);
  }

  @Test
  void linesWithinTheBudgetAreAllStoredAsTheyCome() {
    HeadAndTail cap = new HeadAndTail(10 * HeadAndTail.LINE_COST);
    for (int i = 0; i < 5; i++) {
      assertThat(cap.offer(line(i))).isTrue();
    }
    assertThat(cap.end("out")).isEmpty();
  }

  @Test
  void pastTheHeadTheLatestLinesAreKeptAndTheMiddleIsCountedNotHeld() {
    HeadAndTail cap = new HeadAndTail(10 * HeadAndTail.LINE_COST);
    List<LogLine> stored = new ArrayList<>();
    long heldMost = 0;
    for (int i = 0; i < 100_000; i++) {
      if (cap.offer(line(i))) {
        stored.add(line(i));
      }
      heldMost = Math.max(heldMost, cap.held());
    }
    assertThat(stored)
        .extracting(LogLine::message)
        .containsExactly("line 0", "line 1", "line 2", "line 3", "line 4");
    assertThat(heldMost).isLessThanOrEqualTo(5 * HeadAndTail.LINE_COST);

    long cutBytes = 0;
    for (int i = 5; i < 99_995; i++) {
      cutBytes += line(i).message().length();
    }
    List<LogLine> rest = cap.end("out");
    assertThat(rest)
        .extracting(LogLine::message)
        .containsExactly(
            "... truncated 99990 lines (" + cutBytes + " bytes) ...",
            "line 99995",
            "line 99996",
            "line 99997",
            "line 99998",
            "line 99999");
    assertThat(rest.getFirst().at()).as("where the cut lines were").isEqualTo(line(5).at());
    assertThat(cap.end("out")).isEmpty();
  }

  @Test
  void aLongLineCountsItsBytesAndALaterShortOneDoesNotSlipIntoTheHead() {
    HeadAndTail cap = new HeadAndTail(1000);
    assertThat(cap.offer(new LogLine(t0, "out", "x".repeat(450)))).isTrue();
    assertThat(cap.offer(new LogLine(t0, "out", "y".repeat(100)))).isFalse();
    assertThat(cap.offer(new LogLine(t0, "out", "z"))).isFalse(); // would fit, but comes after
    assertThat(cap.end("out")).extracting(LogLine::message).containsExactly("y".repeat(100), "z");
  }
}
