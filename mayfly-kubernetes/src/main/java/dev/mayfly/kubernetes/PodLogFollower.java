package dev.mayfly.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Streams one pod's container log ({@code GET pods/NAME/log?follow=true&timestamps=true}) into its
 * runner's output, line by line, until the container ended.
 *
 * <p>The API server may end a follow early (its own timeouts, a restart, a kubelet that rotated the
 * log): while the container runs the stream is reopened from the last line's second ({@code
 * sinceTime} counts in seconds) and lines already read, known by their nanosecond timestamps, are
 * skipped. Five breaks in a row with nothing new end the following with one warning; the output
 * then stays in {@code kubectl logs} until the Job's time-to-live after it finished.
 */
final class PodLogFollower {
  private static final System.Logger LOG = System.getLogger("dev.mayfly.kubernetes");

  /** How long the end of a log stream waits for the pod's status to say its container ended. */
  private static final long END_CONFIRMATION_MILLIS = 2_000;

  private static final int MAX_BREAKS = 5;

  private final KubernetesClient client;
  private final String namespace;
  private final String pod;
  private final Consumer<String> output;
  private final RequestPace pace;

  /** Completed by the launcher when the pod's status says its container ended. */
  final CompletableFuture<@Nullable Void> containerEnded = new CompletableFuture<>();

  /** Completes when following ended: the whole log was read, or it cannot be. */
  final CompletableFuture<@Nullable Void> done = new CompletableFuture<>();

  private @Nullable Instant last;
  private int atLast;
  private volatile @Nullable LogWatch watch;

  PodLogFollower(
      KubernetesClient client,
      String namespace,
      String pod,
      Consumer<String> output,
      RequestPace pace) {
    this.client = client;
    this.namespace = namespace;
    this.pod = pod;
    this.output = output;
    this.pace = pace;
  }

  PodLogFollower start() {
    Thread.ofVirtual().name("mayfly-pod-log-" + pod).start(this::follow);
    return this;
  }

  private void follow() {
    int breaks = 0;
    try {
      while (!done.isDone()) {
        Read read;
        try {
          read = readOnce();
        } catch (KubernetesClientException e) {
          if (e.getCode() == 404) {
            return; // the pod is gone, and its log with it
          }
          if (e.getCode() == 401 || e.getCode() == 403) {
            LOG.log(
                Level.WARNING,
                "the log of pod {0} cannot be read: the app''s service account needs the verb"
                    + " ''get'' on ''pods/log'' in namespace {1} (see docs/kubernetes.md); its"
                    + " output is in ''kubectl logs {0}''",
                pod,
                namespace);
            return;
          }
          // 400 while the container is still being created, or the API server is busy
          LOG.log(Level.DEBUG, "log of pod {0}: {1}", pod, e.getMessage());
          read = new Read(0, false);
        }
        // Done when a stream ran to its end and the container has ended: a request that failed
        // read nothing, so it is made again even if the container ended meanwhile.
        if (read.whole() && ended()) {
          return;
        }
        breaks = read.lines() > 0 ? 1 : breaks + 1;
        if (breaks > MAX_BREAKS) {
          LOG.log(
              Level.WARNING,
              "the log of pod {0} cannot be followed; its output is in ''kubectl logs {0}'' until"
                  + " its Job is deleted",
              pod);
          return;
        }
        // The stream broke, or could not start yet: an API server that is restarting, or a
        // container still being created, needs a moment before the follow is made again.
        Thread.sleep(250L * breaks);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      done.complete(null);
    }
  }

  /** What one follow request gave: new lines, and whether the stream ran to its end. */
  private record Read(int lines, boolean whole) {}

  /** One follow request, to its end. */
  private Read readOnce() {
    pace.acquire();
    var container = client.pods().inNamespace(namespace).withName(pod).inContainer("runner");
    var timestamped = container.usingTimestamps();
    Instant from = last;
    LogWatch w =
        from == null
            ? timestamped.watchLog()
            : timestamped.sinceTime(from.truncatedTo(ChronoUnit.SECONDS).toString()).watchLog();
    watch = w;
    int skip = atLast; // lines at the last instant that an earlier request already gave
    int fresh = 0;
    try (w;
        BufferedReader lines =
            new BufferedReader(new InputStreamReader(w.getOutput(), StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        int space = line.indexOf(' ');
        Instant at = null;
        if (space > 0) {
          try {
            at = Instant.parse(line.substring(0, space));
          } catch (DateTimeParseException e) {
            at = null;
          }
        }
        if (at == null) {
          output.accept(line);
          fresh++;
          continue;
        }
        if (from != null && at.isBefore(from)) {
          continue;
        }
        if (from != null && at.equals(from) && skip > 0) {
          skip--;
          continue;
        }
        if (at.equals(last)) {
          atLast++;
        } else {
          last = at;
          atLast = 1;
        }
        output.accept(line.substring(space + 1));
        fresh++;
      }
    } catch (IOException | UncheckedIOException e) {
      LOG.log(Level.DEBUG, "log of pod {0} broke: {1}", pod, e.getMessage());
      return new Read(fresh, false);
    }
    return new Read(fresh, true);
  }

  /** Whether the container ended, as its pod's status says within a moment of the log's end. */
  private boolean ended() throws InterruptedException {
    try {
      containerEnded.get(END_CONFIRMATION_MILLIS, TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      return true;
    }
  }

  /** Stops following now (the pod was deleted). */
  void stop() {
    done.complete(null);
    LogWatch w = watch;
    if (w != null) {
      w.close();
    }
  }
}
