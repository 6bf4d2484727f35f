package dev.mayfly.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mayfly.CoreTestJobs;
import dev.mayfly.Mayfly;
import dev.mayfly.MayflyConfig;
import dev.mayfly.QueueConfig;
import dev.mayfly.store.postgres.TestDatabase;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Mayfly behind a real PgBouncer in transaction mode: LISTEN cannot deliver there, so Mayfly must
 * notice, say so once, and keep working by polling.
 */
@Tag("processes")
class PgBouncerTest {
  private static final Path PGBOUNCER = Path.of("/usr/sbin/pgbouncer");
  private final String database =
      "mayfly_pgb_" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
  private Path dir;
  private Process bouncer;
  private int port;
  private final List<String> warnings = new CopyOnWriteArrayList<>();
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          warnings.add(String.valueOf(r.getMessage()));
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  /**
   * Held for the whole test: the logging framework keeps loggers only weakly, so a logger nobody
   * holds may be collected, handler and all, before the store first logs, and the store would log
   * to a new one this test never hears.
   */
  private final Logger storeLog = Logger.getLogger("dev.mayfly.store");

  /** Installs Debian's pgbouncer when it is missing and we may (as .ci/run also does). */
  @BeforeAll
  static void ensurePgBouncer() throws Exception {
    if (!Files.isExecutable(PGBOUNCER) && System.getProperty("user.name").equals("root")) {
      new ProcessBuilder("apt-get", "install", "-y", "-q", "pgbouncer")
          .inheritIO()
          .start()
          .waitFor(5, TimeUnit.MINUTES);
    }
    assertThat(PGBOUNCER)
        .as("PgBouncer is needed for this test: apt-get install pgbouncer (.ci/run does)")
        .isExecutable();
  }

  @BeforeEach
  void startPgBouncer() throws Exception {
    TestDatabase.execute("CREATE DATABASE " + database);
    dir =
        Files.createTempDirectory(
            "pgbouncer-",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxrwxrwx")));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Files.writeString(dir.resolve("users.txt"), "\"postgres\" \"\"\n");
    Files.writeString(
        dir.resolve("pgbouncer.ini"),
        """
        [databases]
        %s = host=127.0.0.1 port=5432 dbname=%s user=postgres
        [pgbouncer]
        listen_addr = 127.0.0.1
        listen_port = %d
        unix_socket_dir =
        auth_type = trust
        auth_file = %s/users.txt
        pool_mode = transaction
        max_client_conn = 200
        default_pool_size = 20
        ignore_startup_parameters = extra_float_digits
        logfile = %s/pgbouncer.log
        pidfile = %s/pgbouncer.pid
        """
            .formatted(database, database, port, dir, dir, dir));
    for (Path p : List.of(dir.resolve("users.txt"), dir.resolve("pgbouncer.ini"))) {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-rw-rw-"));
    }
    // PgBouncer refuses to run as root; -u drops to an unprivileged user when we are root.
    List<String> cmd =
        System.getProperty("user.name").equals("root")
            ? List.of(PGBOUNCER.toString(), "-u", "nobody", dir.resolve("pgbouncer.ini").toString())
            : List.of(PGBOUNCER.toString(), dir.resolve("pgbouncer.ini").toString());
    bouncer =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("stdout").toFile())
            .start();
    await().atMost(Duration.ofSeconds(20)).until(() -> canConnect(port) || !bouncer.isAlive());
    assertThat(bouncer.isAlive()).as("pgbouncer started; see " + dir).isTrue();
    storeLog.addHandler(capture);
  }

  private static boolean canConnect(int port) {
    try (var s = new java.net.Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @AfterEach
  void stop() throws Exception {
    storeLog.removeHandler(capture);
    if (bouncer != null) {
      bouncer.destroy();
      bouncer.waitFor(10, TimeUnit.SECONDS);
    }
    TestDatabase.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
  }

  @Test
  void jobsStillRunByPollingAndTheLostNotificationsAreReportedOnce() {
    String url =
        "jdbc:postgresql://127.0.0.1:"
            + port
            + "/"
            + database
            + "?user=postgres&prepareThreshold=0";
    MayflyConfig config =
        MayflyConfig.builder()
            .database(url)
            .environment(Map.of())
            .jobs(CoreTestJobs.Work.class)
            .defaults(
                QueueConfig.defaults("default")
                    .launcher("inprocess")
                    .maxRunners(3)
                    .jobsPerRunner(10)
                    .idleExit(Duration.ofMillis(500)))
            .build();
    try (Mayfly mayfly = Mayfly.create(config).start()) {
      for (int i = 0; i < 30; i++) {
        mayfly.enqueue(CoreTestJobs.Work.class, new CoreTestJobs.Work.Args(i, 1));
      }
      await()
          .atMost(Duration.ofMinutes(1))
          .until(() -> mayfly.admin().queues().getFirst().succeeded() == 30);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> warnings.stream().anyMatch(w -> w.contains("notifications do not reach")));
    }
    assertThat(warnings.stream().filter(w -> w.contains("notifications do not reach"))).hasSize(1);
  }
}
