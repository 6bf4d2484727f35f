package dev.mayfly;

import dev.mayfly.api.LogLine;
import dev.mayfly.launch.LaunchException;
import dev.mayfly.protocol.DatabaseUrl;
import dev.mayfly.protocol.OutputMarkers;
import dev.mayfly.protocol.RunnerExitCodes;
import dev.mayfly.store.ReadModel;
import dev.mayfly.store.StoreStall;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Launches that went wrong, and what the dispatcher does and says about them: a launch the launcher
 * refused (a configuration error pauses the queue for minutes, a full platform for a second,
 * anything else backs it off), and a runner that ended before it reported in, either because it
 * opened another database than the dispatcher's (then every runner would: paused as for a
 * configuration error) or for another reason (backed off). Each trouble is said at ERROR once,
 * until the launcher launches again or a runner of the queue reports in ({@link LaunchPauses}).
 */
final class LaunchTroubles {
  private static final System.Logger LOG = System.getLogger("dev.mayfly.dispatch");

  private final MayflyConfig config;
  private final ReadModel reads;
  private final StoreStall stall;
  private final LaunchPauses pauses;
  private final Consumer<Consumer<DispatchListener>> tell;

  /** Launchers whose configuration was refused and said so: told once until a launch works. */
  private final Set<String> misconfigured = ConcurrentHashMap.newKeySet();

  LaunchTroubles(
      MayflyConfig config,
      ReadModel reads,
      StoreStall stall,
      LaunchPauses pauses,
      Consumer<Consumer<DispatchListener>> tell) {
    this.config = config;
    this.reads = reads;
    this.stall = stall;
    this.pauses = pauses;
    this.tell = tell;
  }

  /**
   * Why a runner that ended before it reported in was given another database than this
   * dispatcher's, or null if it was not: it says so in its output ({@link
   * OutputMarkers#storeWithoutTheRunner}) and exits with {@link RunnerExitCodes#WRONG_STORE}. Its
   * output is read only here, for a runner that never reported in.
   */
  @Nullable String wrongStore(String runnerId, @Nullable Integer code) {
    String theirs = null;
    for (LogLine line : stall.time("runnerOutput", () -> reads.runnerOutput(runnerId))) {
      theirs = OutputMarkers.storeWithoutTheRunner(line.message());
      if (theirs != null) {
        break;
      }
    }
    if (theirs == null && (code == null || code != RunnerExitCodes.WRONG_STORE)) {
      return null;
    }
    return "runner "
        + runnerId
        + " opens a different database than this dispatcher: it found no row of its own in "
        + (theirs != null ? theirs : "the store it opened (exit code " + code + ")")
        + ", the database of its MAYFLY_DATABASE_URL or DATABASE_URL, while this dispatcher uses "
        + DatabaseUrl.redact(config.databaseUrl())
        + ". Set the runners' database URL to the dispatcher's where the platform gives runners"
        + " their environment (the Secret named by MAYFLY_KUBERNETES_SECRET, a Heroku app's config"
        + " vars), or start the dispatcher with theirs (--db or MAYFLY_DATABASE_URL). Launching"
        + " pauses for minutes at a time until that is fixed; the jobs stay queued";
  }

  /**
   * A runner of {@code queue} opened another database: so would every runner launched, so the queue
   * pauses as for a launcher's configuration error, said at ERROR once until one reports in.
   */
  void opensAnotherStore(String queue, String why) {
    Duration wait = pauses.pause(queue, LaunchPauses.MISCONFIGURED);
    tell.accept(l -> l.misconfigured(queue, config.queue(queue).launcher(), why));
    LOG.log(
        pauses.firstWrongStore(queue) ? Level.ERROR : Level.DEBUG,
        "{0} (queue {1}, next attempt in {2})",
        why,
        queue,
        wait);
  }

  /**
   * A runner of {@code queue} ended before it reported in: the queue backs off, and it is said at
   * ERROR once, until a runner of the queue reports in again.
   */
  void diedEarly(String queue, String why) {
    Duration wait = pauses.backOff(queue);
    LOG.log(
        pauses.firstEarlyDeath(queue) ? Level.ERROR : Level.DEBUG,
        "{0}. Next launch for queue {1} in {2}",
        why,
        queue,
        wait);
  }

  /** {@code launcher} launched a runner: a configuration error said before is over. */
  void launched(String launcher) {
    if (misconfigured.remove(launcher)) {
      LOG.log(Level.INFO, "the {0} launcher launches again", launcher);
    }
  }

  /**
   * {@code launcher} refused to launch a runner of {@code queue}; the launch is recorded failed.
   */
  void refused(String queue, String launcher, LaunchException e) {
    if (e.needsConfiguration()) {
      // Said once, loudly; the queue waits minutes, not seconds, between attempts.
      Duration wait = pauses.pause(queue, LaunchPauses.MISCONFIGURED);
      LOG.log(
          misconfigured.add(launcher) ? Level.ERROR : Level.DEBUG,
          "{0} (queue {1}, next attempt in {2})",
          e.getMessage(),
          queue,
          wait);
      String why = String.valueOf(e.getMessage());
      tell.accept(l -> l.misconfigured(queue, launcher, why));
      return;
    }
    // A limit reached clears itself as runners end: look again soon, without escalating.
    Duration wait =
        e.atCapacity() ? pauses.pause(queue, LaunchPauses.AT_CAPACITY) : pauses.backOff(queue);
    LOG.log(
        e.atCapacity() ? Level.INFO : Level.WARNING,
        "{0}; next launch for queue {1} in {2}",
        e.getMessage(),
        queue,
        wait);
  }
}
