package dev.mayfly.heroku.emulator;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The app's log as Logplex keeps it: the latest 1,500 lines from the app's dynos ({@code app}) and
 * from the platform about them ({@code heroku}), each numbered, for log sessions to read and tail.
 * Every line is also printed, so the emulator's own output reads like {@code heroku logs}.
 */
final class AppLog {
  /** Logplex keeps the last 1,500 lines of an app (Dev Center, "Logging"). */
  static final int KEPT = 1_500;

  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSxxx").withZone(ZoneOffset.UTC);

  /** One line; {@link #text} is the form {@code heroku logs} prints. */
  record Line(long seq, Instant at, String source, String dyno, String message) {
    String text() {
      return STAMP.format(at) + " " + source + "[" + dyno + "]: " + message;
    }
  }

  /** Lines after a position, and the position they reach (matching or not). */
  record Batch(long last, List<Line> lines) {}

  private final PrintStream echo;
  private final ArrayDeque<Line> lines = new ArrayDeque<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition added = lock.newCondition();
  private long seq;
  private boolean closed;

  AppLog(PrintStream echo) {
    this.echo = echo;
  }

  /** A line the platform writes about a dyno: {@code heroku[run.1234]: State changed ...}. */
  void heroku(String dyno, String message) {
    append("heroku", dyno, message);
  }

  /** A line a dyno's process printed. */
  void app(String dyno, String message) {
    append("app", dyno, message);
  }

  private void append(String source, String dyno, String message) {
    echo.println(source + "[" + dyno + "]: " + message);
    lock.lock();
    try {
      lines.addLast(new Line(++seq, Instant.now(), source, dyno, message));
      if (lines.size() > KEPT) {
        lines.removeFirst();
      }
      added.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** The latest {@code n} lines that match, and the position after them. */
  Batch recent(Predicate<Line> filter, int n) {
    lock.lock();
    try {
      List<Line> matching = new ArrayList<>();
      for (Line l : lines) {
        if (filter.test(l)) {
          matching.add(l);
        }
      }
      return new Batch(
          seq, List.copyOf(matching.subList(Math.max(0, matching.size() - n), matching.size())));
    } finally {
      lock.unlock();
    }
  }

  /**
   * The matching lines written after {@code last}, waiting up to {@code wait} for any line to be
   * written; null once the log is closed.
   */
  @Nullable Batch after(long last, Predicate<Line> filter, Duration wait)
      throws InterruptedException {
    lock.lock();
    try {
      long nanos = wait.toNanos();
      while (seq <= last && !closed && nanos > 0) {
        nanos = added.awaitNanos(nanos);
      }
      if (closed) {
        return null;
      }
      List<Line> out = new ArrayList<>();
      for (Line l : lines) {
        if (l.seq() > last && filter.test(l)) {
          out.add(l);
        }
      }
      return new Batch(seq, out);
    } finally {
      lock.unlock();
    }
  }

  /** Ends every tail. */
  void close() {
    lock.lock();
    try {
      closed = true;
      added.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
