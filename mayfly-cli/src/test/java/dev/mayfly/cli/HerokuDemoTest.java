package dev.mayfly.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mayfly.cli.demo.DemoRepository;
import dev.mayfly.internal.jobs.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's Heroku story as a user runs it: the emulator in one process, the demo in another.
 */
@Tag("processes")
class HerokuDemoTest {
  @TempDir Path dir;
  private final List<Process> processes = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (Process p : processes) {
      p.destroy();
      p.waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void theDemoRunsOnEmulatedDynos() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String db = dir.resolve("store.db").toString();
    Path repo = DemoRepository.pick(null, dir, dir.resolve("demo-repo"), 1).repo();
    Process emulator =
        CliProcess.of(
                dir.resolve("emulator.log"),
                "heroku-emulator",
                "--port",
                Integer.toString(port),
                "--max-dynos",
                "3",
                "--fault-rate",
                "0.2",
                "--db",
                db)
            .directory(dir.toFile())
            .start();
    processes.add(emulator);
    await().atMost(Duration.ofSeconds(30)).until(() -> listening(port));

    ProcessBuilder demo =
        CliProcess.of(
                dir.resolve("demo.log"),
                "demo",
                "--exit",
                "--jobs",
                "8",
                "--jobs-per-runner",
                "2",
                "--db",
                db,
                "--repo",
                repo.toString())
            .directory(dir.toFile());
    demo.environment().put("HEROKU_API_URL", "http://127.0.0.1:" + port);
    demo.environment().put("HEROKU_API_KEY", "any-key-at-all");
    demo.environment().put("HEROKU_APP_NAME", "mayfly-demo");
    Process p = demo.start();
    processes.add(p);
    assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
    String log = Files.readString(dir.resolve("demo.log"));
    assertThat(p.exitValue()).as(log).isZero();
    assertThat(log).contains("8 succeeded");

    StringWriter out = new StringWriter();
    Main.run(
        new PrintWriter(out, true),
        new PrintWriter(new StringWriter()),
        "runners",
        "--json",
        "--db",
        db);
    JsonNode runners = Json.mapper().readTree(out.toString());
    assertThat(runners)
        .isNotEmpty()
        .allSatisfy(r -> assertThat(r.get("launcher").asText()).isEqualTo("heroku"));
    assertThat(Files.readString(dir.resolve("emulator.log")))
        .contains("Starting process with command `runner`");
  }

  private static boolean listening(int port) {
    try (Socket s = new Socket("127.0.0.1", port)) {
      return true;
    } catch (Exception e) {
      return false;
    }
  }
}
