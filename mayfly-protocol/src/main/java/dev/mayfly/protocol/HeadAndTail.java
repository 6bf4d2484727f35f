package dev.mayfly.protocol;

import dev.mayfly.api.LogLine;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The lines of one owner (a job's attempt, or a runner's own lines) kept within a budget of bytes,
 * the head and the tail of them. The first half of the budget is stored as the lines come ({@link
 * #offer} says so); after that the latest lines wait in a ring that holds the other half, the
 * oldest falling out as new ones come, and when the owner ends ({@link #end}) one line says what
 * fell out, {@code ... truncated 41200 lines (52428800 bytes) ...}, followed by the ring. Whatever
 * an owner prints, this holds at most the ring's half of the budget (and a line): of what falls out
 * only two counters grow.
 *
 * <p>A line counts its UTF-8 bytes, and at least {@link #LINE_COST}: a stored row costs the
 * database about that besides its text, so a flood of empty lines stops too (about 10,000 lines per
 * MiB).
 *
 * <p>Not thread-safe: its owner synchronizes.
 */
public final class HeadAndTail {
  /** The default budget of an attempt's log, and of a runner's own lines: 1 MiB. */
  public static final long DEFAULT = 1024 * 1024;

  /** The least a line counts, in bytes. */
  public static final int LINE_COST = 100;

  private final long headBudget;
  private final long tailBudget;
  private long headUsed;
  private boolean headFull;
  private final ArrayDeque<LogLine> tail = new ArrayDeque<>();
  private long tailUsed;
  private long droppedLines;
  private long droppedBytes;
  private @Nullable Instant firstDropped;

  /**
   * @param maxBytes the budget: the head keeps half, the tail the rest
   */
  public HeadAndTail(long maxBytes) {
    if (maxBytes < 2L * LINE_COST) {
      throw new IllegalArgumentException("a budget of " + maxBytes + " bytes holds no line");
    }
    this.headBudget = maxBytes / 2;
    this.tailBudget = maxBytes - headBudget;
  }

  /**
   * Takes a line: true if it is within the head, for the caller to store now; false if it is held
   * for the tail (which may push the oldest held line out).
   */
  public boolean offer(LogLine line) {
    long cost = cost(line);
    if (!headFull && headUsed + cost <= headBudget) {
      headUsed += cost;
      return true;
    }
    headFull = true; // from here on in order: no later short line slips into the head
    tail.addLast(line);
    tailUsed += cost;
    while (tailUsed > tailBudget) {
      LogLine out = tail.removeFirst();
      tailUsed -= cost(out);
      droppedLines++;
      droppedBytes += LineCap.utf8Length(out.message());
      if (firstDropped == null) {
        firstDropped = out.at();
      }
    }
    return false;
  }

  /**
   * The lines still to store once the owner has ended: a marker with what fell out of the middle,
   * if anything did, at the time of the first line that did, then the tail in order. Empties the
   * ring; later lines start a new tail.
   *
   * @param level the marker's level
   */
  public List<LogLine> end(String level) {
    List<LogLine> rest = new ArrayList<>(tail.size() + 1);
    if (droppedLines > 0 && firstDropped != null) {
      rest.add(
          new LogLine(
              firstDropped,
              level,
              "... truncated " + droppedLines + " lines (" + droppedBytes + " bytes) ..."));
    }
    rest.addAll(tail);
    tail.clear();
    tailUsed = 0;
    droppedLines = 0;
    droppedBytes = 0;
    firstDropped = null;
    return rest;
  }

  /** What the ring holds now, in bytes as lines count. */
  public long held() {
    return tailUsed;
  }

  /** What {@code line} counts against a budget: its UTF-8 bytes, at least {@link #LINE_COST}. */
  public static long cost(LogLine line) {
    return Math.max(LINE_COST, LineCap.utf8Length(line.message()));
  }
}
