package dev.mayfly.heroku;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mayfly.internal.jobs.Json;
import dev.mayfly.launch.LaunchRequest;
import dev.mayfly.launch.RunnerExit;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Follows each dyno's output into its runner's output, and tells the runner's end from it: an
 * attached dyno's over Rendezvous ({@link RendezvousClient}), a detached dyno's through log
 * sessions ({@link HerokuApi#logSession}, read by {@link DynoLog}), each on a virtual thread of its
 * own until the dyno ends or the launcher closes.
 */
final class DynoOutputs {
  private static final System.Logger LOG = System.getLogger("dev.mayfly.heroku");

  /** How a followed dyno ended, in words for the runner's exit: see {@link HerokuLauncher}. */
  interface EndedDetail {
    String of(@Nullable Integer status, String more);
  }

  private final HerokuApi api;
  private final String app;
  private final java.time.InstantSource clock;
  private final LongSupplier ticker;

  /** After the platform logs a dyno's end, how long its last lines may still come. */
  private static final java.time.Duration STRAGGLERS = java.time.Duration.ofSeconds(2);

  private final java.util.Set<LogFollower> followers = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  DynoOutputs(HerokuApi api, String app, java.time.InstantSource clock, LongSupplier ticker) {
    this.api = api;
    this.app = app;
    this.clock = clock;
    this.ticker = ticker;
  }

  /** Streams an attached dyno's output into the runner's output until the dyno ends. */
  void attached(
      RendezvousClient client,
      String attachUrl,
      LaunchRequest request,
      CompletableFuture<RunnerExit> exit) {
    try {
      Integer status = client.attach(java.net.URI.create(attachUrl), request.output());
      exit.complete(new RunnerExit(status, clock.instant(), "attached output ended"));
    } catch (java.io.IOException | RuntimeException e) {
      LOG.log(
          Level.WARNING,
          "attaching to the dyno of runner {0} failed: {1}",
          request.runnerId(),
          e.toString());
      exit.complete(new RunnerExit(null, clock.instant(), "attach failed: " + e));
    }
  }

  /**
   * Streams a detached dyno's log into the runner's output until the platform says the dyno ended.
   * A stream that breaks first is opened again (a new session, one API call) while the dyno lives;
   * five quick breaks in a row end the following, and the database still tells the runner's fate.
   */
  void logs(
      String id,
      String name,
      boolean fir,
      LaunchRequest request,
      CompletableFuture<RunnerExit> exit,
      EndedDetail detail) {
    DynoLog log = new DynoLog(name, request.output());
    int quickBreaks = 0;
    while (!closed) {
      long opened = ticker.getAsLong();
      LogFollower follower = new LogFollower(log);
      followers.add(follower);
      try {
        ObjectNode body = Json.mapper().createObjectNode().put("dyno", name);
        if (!fir) { // Fir always tails and keeps no backlog (the CLI sends neither)
          body.put("tail", true).put("lines", 1_500);
        }
        java.net.URI url = api.logSession(body);
        log.newStream();
        api.followLogStream(url, follower)
            .whenComplete(
                (r, e) -> {
                  if (e != null || r.statusCode() != 200) {
                    follower.finish();
                  }
                });
        follower.done.join();
      } catch (HerokuException | RuntimeException e) {
        LOG.log(Level.DEBUG, "log session for dyno {0}: {1}", name, e.toString());
      } finally {
        followers.remove(follower);
      }
      if (log.ended()) {
        Integer status = log.status();
        exit.complete(new RunnerExit(status, clock.instant(), detail.of(status, "")));
        return;
      }
      if (closed || exit.isDone()) {
        return;
      }
      // The stream broke before the dyno's end: is there still a dyno to follow?
      try {
        JsonNode d = api.dyno(id).orElse(null);
        String state = d == null ? "gone" : d.path("state").asText();
        if (!List.of("starting", "up", "idle").contains(state)) {
          exit.complete(
              new RunnerExit(
                  log.status(),
                  clock.instant(),
                  detail.of(log.status(), state + "; its log broke before its end")));
          return;
        }
      } catch (HerokuException e) {
        // unknown; try the log again
      }
      quickBreaks = ticker.getAsLong() - opened < 10_000_000_000L ? quickBreaks + 1 : 0;
      if (quickBreaks >= 5) {
        LOG.log(
            Level.WARNING,
            "the log of dyno {0} (runner {1}) cannot be followed; its output is in 'heroku logs"
                + " --app {2} --dyno {0}', and its end will be seen in the database",
            name,
            request.runnerId(),
            app);
        return;
      }
      try {
        Thread.sleep(1_000L * quickBreaks); // a broken stream is opened again, after a pause
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Feeds one log stream's lines to a {@link DynoLog}; after the dyno's end, stops shortly. */
  private static final class LogFollower implements java.util.concurrent.Flow.Subscriber<String> {
    private final DynoLog log;
    final CompletableFuture<@Nullable Void> done = new CompletableFuture<>();
    private volatile java.util.concurrent.Flow.@Nullable Subscription subscription;
    private boolean ending;

    LogFollower(DynoLog log) {
      this.log = log;
    }

    @Override
    public void onSubscribe(java.util.concurrent.Flow.Subscription s) {
      subscription = s;
      if (done.isDone()) {
        s.cancel();
      } else {
        s.request(Long.MAX_VALUE);
      }
    }

    @Override
    public void onNext(String line) {
      log.line(line);
      if (log.ended() && !ending) {
        ending = true;
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    Thread.sleep(STRAGGLERS); // lines written just before the end may come late
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  finish();
                });
      }
    }

    @Override
    public void onError(Throwable t) {
      done.complete(null);
    }

    @Override
    public void onComplete() {
      done.complete(null);
    }

    /** Stops reading. */
    void finish() {
      var s = subscription;
      if (s != null) {
        s.cancel();
      }
      done.complete(null);
    }
  }

  /** Stops following every dyno. */
  void close() {
    closed = true;
    followers.forEach(LogFollower::finish);
  }
}
