package dev.mayfly.runner;

import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * Tells a runner ended by its job's {@code System.exit} from one stopped by a signal. Both run the
 * runner's shutdown hook; only the first went through {@code Runtime.exit}, which since JDK 21 logs
 * its status to the system logger {@code java.lang.Runtime} at DEBUG before the hooks run. A signal
 * goes to {@code Shutdown.exit} without that frame.
 *
 * <p>Where an app replaced the JDK's {@code System.LoggerFinder}, the record does not come here;
 * {@link #calledByCode} still sees the call on the exiting thread's stack, without its status.
 */
final class JobExits {
  private JobExits() {}

  /** Held here: a java.util.logging logger without a strong reference may be collected. */
  private static @Nullable Logger runtime;

  private static volatile @Nullable Integer status;

  /** Starts watching; idempotent. Costs java.util.logging's start, so off the start-up path. */
  static synchronized void watch() {
    if (runtime != null) {
      return;
    }
    try {
      Logger logger = Logger.getLogger("java.lang.Runtime");
      logger.setLevel(Level.FINE); // System.Logger's DEBUG
      logger.setUseParentHandlers(false);
      logger.addHandler(
          new Handler() {
            @Override
            public void publish(LogRecord record) {
              Throwable call = record.getThrown();
              if (call != null && calledByCode(call.getStackTrace())) {
                status = parse(call.getMessage());
              }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
          });
      runtime = logger;
    } catch (RuntimeException | LinkageError e) {
      // no java.util.logging: the stack still tells, without the status
    }
  }

  /** The status code passes to {@code System.exit}, if code called it; null if not, or unknown. */
  static @Nullable Integer status() {
    return status;
  }

  /** Whether {@code thread} is inside {@code Runtime.exit}: code, not a signal, ends the JVM. */
  static boolean exiting(Thread thread) {
    return calledByCode(thread.getStackTrace());
  }

  static boolean calledByCode(StackTraceElement[] stack) {
    for (StackTraceElement frame : stack) {
      if (frame.getClassName().equals("java.lang.Runtime")
          && frame.getMethodName().equals("exit")) {
        return true;
      }
    }
    return false;
  }

  /** The status in the JDK's {@code "Runtime.exit(3)"}. */
  private static @Nullable Integer parse(@Nullable String message) {
    if (message == null) {
      return null;
    }
    int open = message.indexOf('(');
    int close = message.indexOf(')', open + 1);
    try {
      return open < 0 || close < 0 ? null : Integer.valueOf(message.substring(open + 1, close));
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
