package dev.mayfly.protocol;

import java.io.IOException;
import java.io.Reader;
import java.util.function.Consumer;

/**
 * The longest line of output or log Mayfly keeps, in UTF-8 bytes: a longer line keeps its head and
 * ends with a note of what was cut, {@code ... [truncated 52428800 bytes]}, the whole within the
 * cap. Cutting a line that was cut already changes nothing, so the launcher that reads a runner's
 * output, the dispatcher that stores it and the runner that logs a job's lines can all apply it.
 */
public final class LineCap {
  /** The default: 16 KiB. */
  public static final int DEFAULT = 16 * 1024;

  /** The least a cap may be: room for a head and the note. */
  public static final int MIN = 256;

  /** Kept free at the end of a cut line for the note (41 bytes at most). */
  private static final int NOTE_ROOM = 64;

  private LineCap() {}

  /** {@code line} if it fits in {@code maxBytes}; else its head and a note of what was cut. */
  public static String cut(String line, int maxBytes) {
    if ((long) line.length() * 3 <= maxBytes) {
      return line; // no character takes more than 3 bytes (a surrogate pair 4, for 2 chars)
    }
    long bytes = utf8Length(line);
    if (bytes <= maxBytes) {
      return line;
    }
    int keep = 0;
    long kept = 0;
    long room = maxBytes - NOTE_ROOM;
    while (keep < line.length() && kept + utf8Length(line.charAt(keep)) <= room) {
      kept += utf8Length(line.charAt(keep++));
    }
    if (keep > 0 && Character.isHighSurrogate(line.charAt(keep - 1))) {
      kept -= utf8Length(line.charAt(--keep)); // never half a pair
    }
    return line.substring(0, keep) + note(bytes - kept);
  }

  /**
   * Reads {@code in} to its end, line by line as {@link java.io.BufferedReader#readLine} splits it
   * (at {@code \n}, {@code \r} or {@code \r\n}), handing each to {@code out} as {@link #cut} would
   * cut it. A line longer than the cap is cut while it is read: what is past the cap is counted,
   * not held, so a runner printing 50 MB without a newline costs no more memory than one line.
   */
  public static void read(Reader in, int maxBytes, Consumer<String> out) throws IOException {
    char[] buf = new char[8192];
    StringBuilder line = new StringBuilder();
    long bytes = 0; // of line
    long dropped = 0; // past the cap, of the current line
    boolean afterCr = false;
    for (int n = in.read(buf); n != -1; n = in.read(buf)) {
      for (int i = 0; i < n; i++) {
        char c = buf[i];
        if (afterCr) {
          afterCr = false;
          if (c == '\n') {
            continue;
          }
        }
        if (c == '\n' || c == '\r') {
          out.accept(dropped == 0 ? line.toString() : line + note(dropped));
          line.setLength(0);
          bytes = 0;
          dropped = 0;
          afterCr = c == '\r';
          continue;
        }
        int b = utf8Length(c);
        if (dropped == 0 && bytes + b <= maxBytes) {
          line.append(c);
          bytes += b;
          continue;
        }
        if (dropped == 0) { // the cap is reached: make room for the note, as cut does
          long room = maxBytes - NOTE_ROOM;
          while (bytes > room
              || (line.length() > 0 && Character.isHighSurrogate(line.charAt(line.length() - 1)))) {
            int last = utf8Length(line.charAt(line.length() - 1));
            line.setLength(line.length() - 1);
            bytes -= last;
            dropped += last;
          }
        }
        dropped += b;
      }
    }
    if (line.length() > 0 || dropped > 0) {
      out.accept(dropped == 0 ? line.toString() : line + note(dropped));
    }
  }

  /** The bytes {@code text} takes in UTF-8 (each surrogate counted 2, so a pair counts its 4). */
  public static long utf8Length(CharSequence text) {
    long n = 0;
    for (int i = 0; i < text.length(); i++) {
      n += utf8Length(text.charAt(i));
    }
    return n;
  }

  private static int utf8Length(char c) {
    if (c < 0x80) {
      return 1;
    }
    if (c < 0x800 || Character.isSurrogate(c)) {
      return 2;
    }
    return 3;
  }

  private static String note(long dropped) {
    return "... [truncated " + dropped + " bytes]";
  }
}
