package dev.mayfly.cli;

import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** One-line log records on stderr for Mayfly's own messages; warnings only unless asked. */
final class Logging {
  private Logging() {}

  static void configure() {
    Logger root = Logger.getLogger("");
    for (var h : root.getHandlers()) {
      root.removeHandler(h);
    }
    ConsoleHandler handler = new ConsoleHandler();
    handler.setFormatter(
        new Formatter() {
          @Override
          public String format(LogRecord r) {
            String msg = formatMessage(r);
            String thrown = r.getThrown() == null ? "" : " (" + r.getThrown() + ")";
            return "mayfly " + r.getLevel().getName().toLowerCase() + ": " + msg + thrown + "\n";
          }
        });
    root.addHandler(handler);
    boolean verbose = System.getenv("MAYFLY_VERBOSE") != null;
    root.setLevel(verbose ? Level.INFO : Level.WARNING);
    handler.setLevel(Level.ALL);
  }
}
