package dev.mayfly.heroku.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Heroku's own CLI (npm package {@code heroku}, pinned) against the emulator, as a user trying it
 * would run it: {@code HEROKU_HOST} pointing at the emulator and the Rendezvous certificate trusted
 * through {@code NODE_EXTRA_CA_CERTS}. The CLI is installed once into the user's cache folder.
 */
@Tag("processes")
class OfficialHerokuCliTest {
  static final String VERSION = "11.10.0";
  private static final String APP = "cli-test";
  private static final String KEY = "hrku-cli-test-key";
  private static final Pattern DYNO = Pattern.compile("run\\.\\d+");

  private static Path heroku;

  @TempDir Path home;
  private HerokuEmulator emulator;
  private final ByteArrayOutputStream log = new ByteArrayOutputStream();

  @BeforeAll
  static void install() throws Exception {
    Path dir =
        Path.of(System.getProperty("user.home"), ".cache", "mayfly-test", "heroku-cli-" + VERSION);
    heroku = dir.resolve("node_modules").resolve(".bin").resolve("heroku");
    if (Files.isExecutable(heroku)) {
      return;
    }
    Files.createDirectories(dir);
    Process npm;
    try {
      npm =
          new ProcessBuilder(
                  "npm",
                  "install",
                  "--no-audit",
                  "--no-fund",
                  "--prefix",
                  dir.toString(),
                  "heroku@" + VERSION)
              .redirectErrorStream(true)
              .start();
    } catch (IOException e) {
      throw new IllegalStateException(
          "this test installs Heroku's CLI with npm: install Node.js and npm (apt-get install"
              + " nodejs npm; .ci/run does)",
          e);
    }
    String out = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(npm.waitFor(10, TimeUnit.MINUTES)).as("npm install finished").isTrue();
    assertThat(npm.exitValue()).as("npm install heroku@%s: %s", VERSION, out).isZero();
    assertThat(heroku).isExecutable();
  }

  @BeforeEach
  void start() throws Exception {
    emulator =
        HerokuEmulator.start(
            0,
            new HerokuEmulator.Options(
                APP,
                5,
                0,
                7,
                Map.of(),
                Map.of(),
                Duration.ofSeconds(5),
                new PrintStream(log, true)));
    emulator.requireToken(KEY);
  }

  @AfterEach
  void stop() {
    emulator.close();
  }

  private record Run(int code, String out, String err) {}

  private Run heroku(String key, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(heroku.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    Map<String, String> env = pb.environment();
    env.put("HOME", home.toString()); // the CLI's own config and caches stay in the test's folder
    env.put("XDG_CONFIG_HOME", home.resolve(".config").toString());
    env.put("XDG_DATA_HOME", home.resolve(".local/share").toString());
    env.put("XDG_CACHE_HOME", home.resolve(".cache").toString());
    env.put("HEROKU_HOST", emulator.uri().toString());
    env.put("HEROKU_API_KEY", key);
    env.put("NODE_EXTRA_CA_CERTS", emulator.rendezvousCertificate().toString());
    Path out = home.resolve("out-" + System.nanoTime());
    Path err = home.resolve("err-" + System.nanoTime());
    // no input: the CLI ends the dyno's stdin at once (0x04)
    pb.redirectInput(Files.createFile(home.resolve("in-" + System.nanoTime())).toFile());
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process p = pb.start();
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).as("heroku %s finished", args[0]).isTrue();
    return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  private static String dyno(String text) {
    Matcher m = DYNO.matcher(text);
    assertThat(m.find()).as("a one-off dyno's name in: %s", text).isTrue();
    return m.group();
  }

  @Test
  void runDetachedStartsAOneOffWhoseOutputLogsShows() throws Exception {
    Run r = heroku(KEY, "run:detached", "--app", APP, "--", "echo", "hello-detached");

    assertThat(r.code()).as("%s", r).isZero();
    String dyno = dyno(r.out() + r.err());
    // the CLI leaves the type out; Heroku, and the emulator, then make it a "run" dyno
    assertThat(emulator.received().getFirst().body().path("type").asText("run")).isEqualTo("run");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> log.toString().contains("heroku[" + dyno + "]: State changed from up to"));

    Run logs = heroku(KEY, "logs", "--app", APP, "--dyno-name", dyno);
    assertThat(logs.code()).as("%s", logs).isZero();
    assertThat(logs.out())
        .containsPattern("\\S+ app\\[" + Pattern.quote(dyno) + "\\]: hello-detached")
        .contains("heroku[" + dyno + "]: Process exited with status 0");
  }

  @Test
  void runAttachedStreamsTheOutputOverRendezvousAndPassesTheExitCodeThrough() throws Exception {
    Run r = heroku(KEY, "run", "--exit-code", "--app", APP, "--", "echo hello-attached; (exit 3)");

    assertThat(r.out()).as("%s", r).contains("hello-attached");
    assertThat(r.code()).as("%s", r).isEqualTo(3);
  }

  @Test
  void psListsARunningOneOffAndPsStopEndsIt() throws Exception {
    String dyno = dyno(heroku(KEY, "run:detached", "--app", APP, "--", "sleep", "60").out());

    Run ps = heroku(KEY, "ps", "--app", APP);
    assertThat(ps.code()).as("%s", ps).isZero();
    assertThat(ps.out()).contains("one-off processes").contains(dyno).contains("sleep 60");

    Run stop = heroku(KEY, "ps:stop", dyno, "--app", APP);
    assertThat(stop.code()).as("%s", stop).isZero();
    await().atMost(Duration.ofSeconds(30)).until(() -> emulator.running().isEmpty());
    // listed for a moment while Heroku finishes shutting it down
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> heroku(KEY, "ps", "--app", APP).out().contains("No dynos on " + APP));
  }

  @Test
  void aKeyTheAppDoesNotKnowIsRefused() throws Exception {
    Run r = heroku("hrku-some-other-key", "ps", "--app", APP);

    assertThat(r.code()).isNotZero();
    assertThat(r.err()).contains("HEROKU_API_KEY is invalid"); // how the CLI words our 401
    assertThat(emulator.running()).isEmpty();
  }
}
