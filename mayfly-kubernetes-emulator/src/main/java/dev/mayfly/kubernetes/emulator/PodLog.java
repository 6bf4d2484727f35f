package dev.mayfly.kubernetes.emulator;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * What one container printed, as the kubelet keeps it: each line with the time it was written,
 * until the pod is deleted. Readers follow it from another thread as it grows.
 */
final class PodLog {
  /** RFC 3339 with nanoseconds, as {@code kubectl logs --timestamps} shows. */
  static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);

  /** The kubelet rotates a container's log at 10 MiB; past that the oldest lines go. */
  private static final long MAX_CHARS = 10L << 20;

  record Line(Instant at, String text) {
    String render(boolean timestamps) {
      return (timestamps ? TIMESTAMP.format(at) + " " : "") + text + "\n";
    }
  }

  private final List<Line> lines = new ArrayList<>();
  private long chars;
  private long dropped;
  private boolean ended;

  synchronized void add(String text) {
    lines.add(new Line(Instant.now(), text));
    chars += text.length() + 1;
    while (chars > MAX_CHARS && lines.size() > 1) {
      chars -= lines.removeFirst().text().length() + 1;
      dropped++;
    }
    notifyAll();
  }

  /** The container ended: followers read what is left and stop. */
  synchronized void end() {
    ended = true;
    notifyAll();
  }

  /**
   * The lines from {@code from} (counted from the first line ever written) on, waiting up to {@code
   * waitMillis} for one when there is none yet and the container runs; empty when it ended.
   */
  synchronized Batch read(long from, long waitMillis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + waitMillis;
    while (!ended && dropped + lines.size() <= from) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        break;
      }
      wait(left);
    }
    int start = (int) Math.max(0, from - dropped);
    return new Batch(
        List.copyOf(lines.subList(Math.min(start, lines.size()), lines.size())),
        dropped + lines.size(),
        ended);
  }

  record Batch(List<Line> lines, long next, boolean ended) {}
}
