package dev.mayfly.runner;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.SynchronousQueue;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The platform thread a runner's jobs run on, one after the other. One thread for the runner's life
 * costs nothing per job; and not a virtual thread, because once a virtual thread has used a socket,
 * the JDK's poller thread waits in native code for good and HotSpot then spends 300 ms at exit
 * waiting for it, billed on every runner whose jobs talk to the network.
 *
 * <p>An interrupt reaches only the job it is meant for: the thread's interrupt status is cleared
 * between jobs, and {@link #interrupt} does nothing once that job has ended. A job that never ends
 * keeps the thread; the runner then ends the process.
 */
final class JobThread {
  private final SynchronousQueue<Runnable> next = new SynchronousQueue<>();
  private final Thread thread;
  private @Nullable Object running; // guarded by this
  private volatile boolean closed;

  JobThread(String name) {
    thread = Thread.ofPlatform().daemon().name(name).start(this::loop);
  }

  /** Runs {@code job} on this thread; the future completes with its result or exception. */
  <T> CompletableFuture<T> run(Object key, Supplier<T> job) {
    CompletableFuture<T> result = new CompletableFuture<>();
    Runnable task =
        () -> {
          synchronized (this) {
            running = key;
            Thread.interrupted();
          }
          try {
            result.complete(job.get());
          } catch (Throwable t) {
            result.completeExceptionally(t);
          } finally {
            synchronized (this) {
              running = null;
              Thread.interrupted();
            }
          }
        };
    try {
      next.put(task);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      result.completeExceptionally(e);
    }
    return result;
  }

  /** Interrupts the job of {@code key} if it is still running. */
  synchronized void interrupt(Object key) {
    if (running == key) {
      thread.interrupt();
    }
  }

  /** Ends the thread once its job, if any, has ended; for runners that live inside an app. */
  void close() {
    closed = true;
    synchronized (this) {
      if (running == null) {
        thread.interrupt();
      }
    }
  }

  private void loop() {
    while (!closed) {
      try {
        next.take().run();
      } catch (InterruptedException e) {
        // closed, or an interrupt meant for a job that had just ended: the next one starts clean
      }
    }
  }
}
