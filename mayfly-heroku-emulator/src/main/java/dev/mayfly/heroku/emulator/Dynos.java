package dev.mayfly.heroku.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * The app's one-off dynos, each a local process: started in {@code bash -c} with the app's config
 * vars and the request's {@code env} (detached, its output to the app's log; attached, over
 * Rendezvous once its client connects), sent SIGTERM at its {@code time_to_live} or when stopped
 * and SIGKILL after the grace period, and counted against its size's limit until Heroku would have
 * finished shutting it down. What the platform says about each goes to the app's log as Heroku
 * words it.
 */
final class Dynos {
  /** A dyno; its process is null while an attached dyno waits for its client. */
  record Dyno(
      String id,
      String name,
      String command,
      String size,
      String type,
      Instant createdAt,
      @Nullable String attachUrl,
      AtomicReference<Process> process) {

    boolean alive() {
      Process p = process.get();
      return p == null || p.isAlive();
    }
  }

  private final App app;
  private final AppLog log;
  private final Map<String, Dyno> dynos = new ConcurrentHashMap<>();
  private volatile Duration shutdownLag = Duration.ofSeconds(1);
  private final AtomicInteger maxConcurrent = new AtomicInteger();
  private final AtomicInteger runNumber = new AtomicInteger(1000);
  private final ScheduledExecutorService timers =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "heroku-emulator-timer");
            t.setDaemon(true);
            return t;
          });
  private final Object rendezvousLock = new Object();
  private @Nullable RendezvousServer rendezvous;

  Dynos(App app, AppLog log) {
    this.app = app;
    this.log = log;
  }

  /** How long an ended dyno still counts against the concurrency limit. */
  void shutdownLag(Duration lag) {
    this.shutdownLag = lag;
  }

  /** The most dynos that were ever running at the same time. */
  int maxConcurrent() {
    return maxConcurrent.get();
  }

  Collection<Dyno> all() {
    return dynos.values();
  }

  /**
   * Concurrent one-off dynos of a size (Dev Center, "Concurrent One-Off Dyno Limits"): 1 Eco, 5
   * Performance, Private or Shield, 50 Basic or Standard; {@code maxDynos} lowers it.
   */
  int limit(String size) {
    String s = size.toLowerCase(Locale.ROOT);
    int heroku =
        s.equals("eco")
            ? 1
            : s.startsWith("performance") || s.startsWith("private") || s.startsWith("shield")
                ? 5
                : 50;
    return Math.min(heroku, app.options().maxDynos());
  }

  /**
   * Dynos of a size that count against its limit: running, waiting for their client, or ended less
   * than the shutdown lag ago.
   */
  int counted(String size) {
    return (int) dynos.values().stream().filter(d -> d.size().equalsIgnoreCase(size)).count();
  }

  /** Starts the dyno a create request asks for (validated), or has it wait for its client. */
  Dyno launch(JsonNode body, String size) throws IOException {
    Dyno d = start(body, size);
    maxConcurrent.accumulateAndGet(alive(), Math::max);
    return d;
  }

  private Dyno start(JsonNode body, String size) throws IOException {
    String type = body.path("type").asText("run");
    String name = type + "." + runNumber.incrementAndGet();
    boolean attach = body.path("attach").asBoolean(false);
    String secret = UUID.randomUUID().toString();
    String attachUrl = null;
    if (attach) {
      attachUrl = "rendezvous://127.0.0.1:" + rendezvous().port() + "/" + secret;
    }
    Dyno d =
        new Dyno(
            UUID.randomUUID().toString(),
            name,
            body.get("command").asText(),
            size,
            type,
            Instant.now(),
            attachUrl,
            new AtomicReference<>());
    // listed before its process starts: a process that ends at once is then unlisted for good
    dynos.put(d.id(), d);
    if (!attach) {
      startProcess(d, body, null);
      return d;
    }
    log.heroku(name, "Awaiting client");
    RendezvousServer server = rendezvous();
    server.expect(
        secret,
        socket -> {
          try {
            startProcess(d, body, socket);
          } catch (IOException e) {
            log.heroku(name, "Error R10 (Boot timeout) -> could not start: " + e);
            closeQuietly(socket);
            dynos.remove(d.id());
          }
        });
    // Heroku gives up on an unattached dyno after about 30 s (R13).
    timers.schedule(
        () -> {
          if (server.forget(secret)) {
            log.heroku(name, "Error R13 (Attach error) -> Failed to attach to process");
            log.heroku(name, "State changed from starting to crashed");
            dynos.remove(d.id());
          }
        },
        30,
        TimeUnit.SECONDS);
    return d;
  }

  private void startProcess(Dyno d, JsonNode body, @Nullable Socket attached) throws IOException {
    String command = app.resolve(body.get("command").asText());
    ProcessBuilder pb = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true);
    Path dir = app.slug();
    if (dir != null) {
      pb.directory(dir.toFile());
    }
    pb.environment().putAll(app.options().configVars());
    body.path("env")
        .fields()
        .forEachRemaining(e -> pb.environment().put(e.getKey(), e.getValue().asText()));
    pb.environment().put("DYNO", d.name());
    log.heroku(d.name(), "Starting process with command `" + d.command() + "`");
    Process p = pb.start();
    d.process().set(p);
    log.heroku(d.name(), "State changed from starting to up");
    Thread output =
        Thread.ofVirtual()
            .start(
                () -> {
                  try (InputStream in = p.getInputStream()) {
                    if (attached != null) {
                      // Attached: the client's bytes go to the process's stdin (0x04 ends it), and
                      // the output goes to the client, raw, until the process ends; then the socket
                      // closes, which is how the client learns the end. Heroku's CLI writes 0x04
                      // when its own stdin ends and fails if the socket is already gone, so the
                      // close waits, briefly, for that.
                      Thread input = Thread.ofVirtual().start(() -> relayInput(attached, p));
                      try (attached;
                          OutputStream out = attached.getOutputStream()) {
                        in.transferTo(out);
                        out.flush();
                        input.join(Duration.ofSeconds(2));
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                    } else {
                      // Detached: output goes to the app's log; here, the emulator's own output.
                      BufferedReader r =
                          new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                      for (String line = r.readLine(); line != null; line = r.readLine()) {
                        log.app(d.name(), line);
                      }
                    }
                  } catch (IOException ignored) {
                    // the client or the dyno went away
                  }
                });
    long ttl = body.path("time_to_live").asLong(86_400);
    timers.schedule(() -> terminate(d), ttl, TimeUnit.SECONDS);
    p.onExit()
        .thenRun(
            () -> {
              try {
                output.join(Duration.ofSeconds(2)); // its last lines come before its end
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              log.heroku(d.name(), "Process exited with status " + p.exitValue());
              log.heroku(d.name(), "State changed from up to complete");
              // still counted while Heroku finishes shutting it down
              timers.schedule(
                  () -> dynos.remove(d.id()), shutdownLag.toMillis(), TimeUnit.MILLISECONDS);
            });
  }

  /** Client to process: bytes to its stdin until the client ends it with 0x04 or goes away. */
  private static void relayInput(Socket client, Process p) {
    try (OutputStream to = p.getOutputStream()) {
      InputStream from = client.getInputStream(); // not closed here: that would close the socket
      for (int b = from.read(); b != -1 && b != 0x04; b = from.read()) {
        to.write(b);
        if (b == '\n') {
          to.flush();
        }
      }
    } catch (IOException e) {
      // the client or the process went away: stdin ends either way
    }
  }

  RendezvousServer rendezvous() throws IOException {
    synchronized (rendezvousLock) {
      if (rendezvous == null) {
        rendezvous = RendezvousServer.start(Files.createTempDirectory("heroku-emulator-"));
      }
      return rendezvous;
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // gone
    }
  }

  /** Kills a dyno at once, without the grace a stop gives; false if it runs no process. */
  boolean crash(String idOrName) {
    Dyno d = find(idOrName);
    Process p = d == null ? null : d.process().get();
    if (p == null) {
      return false;
    }
    p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
    return true;
  }

  /** Names of the dynos running now. */
  List<String> running() {
    return dynos.values().stream()
        .filter(d -> d.process().get() != null && d.alive())
        .map(Dyno::name)
        .toList();
  }

  /** SIGTERM, then SIGKILL after the grace period, as Heroku stops dynos. */
  void terminate(Dyno d) {
    Process p = d.process().get();
    if (p == null) {
      dynos.remove(d.id());
      return;
    }
    ProcessHandle h = p.toHandle();
    if (h.isAlive()) {
      log.heroku(d.name(), "Stopping all processes with SIGTERM");
    }
    h.descendants().forEach(ProcessHandle::destroy);
    h.destroy();
    Duration grace = app.options().stopGrace();
    timers.schedule(
        () -> {
          if (h.isAlive()) {
            log.heroku(
                d.name(),
                "Error R12 (Exit timeout) -> At least one process failed to exit within "
                    + grace.toSeconds()
                    + " seconds of SIGTERM");
            log.heroku(d.name(), "Stopping all processes with SIGKILL");
          }
          h.descendants().forEach(ProcessHandle::destroyForcibly);
          h.destroyForcibly();
        },
        grace.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  private int alive() {
    return (int) dynos.values().stream().filter(Dyno::alive).count();
  }

  @Nullable Dyno find(String idOrName) {
    Dyno d = dynos.get(idOrName);
    if (d != null) {
      return d;
    }
    return dynos.values().stream().filter(x -> x.name().equals(idOrName)).findFirst().orElse(null);
  }

  /** Kills every dyno's process and closes the Rendezvous server. */
  void close() {
    dynos
        .values()
        .forEach(
            d -> {
              Process p = d.process().get();
              if (p != null) {
                p.toHandle().destroyForcibly();
              }
            });
    timers.shutdownNow();
    RendezvousServer r;
    synchronized (rendezvousLock) {
      r = rendezvous;
    }
    if (r != null) {
      try {
        r.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }
}
