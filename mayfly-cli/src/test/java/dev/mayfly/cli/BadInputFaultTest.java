package dev.mayfly.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mayfly.internal.jobs.Json;
import dev.mayfly.store.connect.JobStores;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fault suite, item 5: bad input of every kind is refused with a message, and nothing is written.
 */
@Tag("faults")
class BadInputFaultTest {
  @TempDir Path dir;

  /**
   * @param storeFirst whether the store exists before the command runs (one the command must look
   *     in to refuse it); else the command must leave none behind
   */
  record Case(String name, List<String> args, String message, boolean storeFirst) {
    Case(String name, List<String> args, String message) {
      this(name, args, message, false);
    }

    static Case onAStore(String name, List<String> args, String message) {
      return new Case(name, args, message, true);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static List<Case> cases() {
    String huge = "x".repeat(300 * 1024);
    return List.of(
        new Case(
            "unknown type", List.of("enqueue", "nope", "--args", "{}"), "unknown job type 'nope'"),
        new Case(
            "unparsable arguments",
            List.of("enqueue", "sleep", "--args", "{\"millis\":"),
            "not valid JSON"),
        new Case(
            "mistyped argument",
            List.of("enqueue", "sleep", "--args", "{\"millis\":\"soon\"}"),
            "'millis'"),
        new Case(
            "missing argument",
            List.of("enqueue", "sleep", "--args", "{}"),
            "needs argument 'millis'"),
        new Case(
            "unknown argument",
            List.of("enqueue", "sleep", "--args", "{\"millis\":1,\"x\":2}"),
            "has no argument 'x'"),
        new Case(
            "oversize arguments",
            List.of("enqueue", "fail", "--args", "{\"message\":\"" + huge + "\"}"),
            "over the limit"),
        new Case(
            "negative delay",
            List.of("enqueue", "sleep", "--args", "{\"millis\":1}", "--in", "-5m"),
            "negative"),
        new Case(
            "bad delay",
            List.of("enqueue", "sleep", "--args", "{\"millis\":1}", "--in", "soon"),
            "is not a duration"),
        new Case(
            "bad queue name",
            List.of("enqueue", "sleep", "--args", "{\"millis\":1}", "--queue", "A Q"),
            "invalid name"),
        new Case(
            "zero count",
            List.of("enqueue", "sleep", "--args", "{\"millis\":1}", "--count", "0"),
            "count"),
        new Case(
            "unique key with count",
            List.of(
                "enqueue", "sleep", "--args", "{\"millis\":1}", "--unique", "k", "--count", "2"),
            "unique key"),
        new Case(
            "delay beyond ten years",
            List.of("enqueue", "sleep", "--args", "{\"millis\":1}", "--in", "99999999999999d"),
            "--in must be from 0 to 3650d, was '99999999999999d'"),
        new Case(
            "delay longer than a duration holds",
            List.of("enqueue", "sleep", "--args", "{\"millis\":1}", "--in", "9".repeat(30) + "d"),
            "--in must be from 0 to 3650d"),
        Case.onAStore("unknown job id", List.of("job", "999999"), "there is no job 999999"),
        Case.onAStore("cancel unknown job", List.of("cancel", "999999"), "there is no job 999999"),
        Case.onAStore("retry unknown job", List.of("retry", "999999"), "there is no job 999999"),
        new Case("unknown state", List.of("jobs", "--state", "done"), "unknown job state 'done'"),
        new Case("cursor not an id", List.of("jobs", "--before", "0"), "--before must be a job id"),
        Case.onAStore(
            "cursor not a runner",
            List.of("runners", "--before", "r-nope"),
            "--before: there is no runner r-nope"),
        new Case("bad cost period", List.of("cost", "--since", "lately"), "--since: 'lately'"),
        new Case(
            "cost period beyond ten years",
            List.of("cost", "--since", "99999999999999d"),
            "--since must be from 0 to 3650d, was '99999999999999d'"),
        new Case(
            "no runners to list", List.of("runners", "--limit", "0"), "--limit must be at least 1"),
        new Case("no jobs to list", List.of("jobs", "--limit", "-1"), "--limit must be at least 1"),
        new Case("queues of no store", List.of("queues"), "no Mayfly store at"),
        new Case("jobs of no store", List.of("jobs"), "no Mayfly store at"),
        new Case("a job of no store", List.of("job", "1"), "no Mayfly store at"),
        new Case("runners of no store", List.of("runners"), "no Mayfly store at"),
        new Case("cost of no store", List.of("cost"), "no Mayfly store at"),
        new Case("schedules of no store", List.of("schedules"), "no Mayfly store at"),
        new Case("retrying in no store", List.of("retry", "--dead"), "no Mayfly store at"),
        new Case(
            "dashboard port out of range",
            List.of("serve", "--port", "70000"),
            "dashboard port must be 0-65535"),
        // refused by the dashboard as it starts, after the store has opened
        Case.onAStore(
            "dashboard exposed without credentials",
            List.of("serve", "--bind", "0.0.0.0", "--port", "0"),
            "refusing to listen on 0.0.0.0"),
        new Case(
            "misspelt option",
            List.of("enqueue", "sleep", "--argz", "{}"),
            "Missing required option"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void isRefusedWithExitCode2AClearMessageAndNothingWritten(Case c) throws Exception {
    String db = dir.resolve("bad.db").toString();
    if (c.storeFirst()) {
      JobStores.open(db).close();
    }
    List<String> args = new ArrayList<>(c.args());
    args.addAll(List.of("--db", db));
    StringWriter err = new StringWriter();
    int code =
        Main.run(
            new PrintWriter(new StringWriter(), true),
            new PrintWriter(err, true),
            args.toArray(String[]::new));

    assertThat(code).as(err.toString()).isEqualTo(2);
    assertThat(err.toString()).contains(c.message());
    if (!c.storeFirst()) {
      assertThat(dir).as("a store made by a command refused").isEmptyDirectory();
      return;
    }
    StringWriter out = new StringWriter();
    Main.run(
        new PrintWriter(out, true),
        new PrintWriter(new StringWriter()),
        "jobs",
        "--json",
        "--db",
        db);
    assertThat(Json.mapper().readTree(out.toString())).as("jobs written").isEmpty();
  }

  private int run(StringWriter err, String... args) {
    return Main.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), args);
  }

  @Test
  void aKeySetTwiceInTheConfigurationFileIsRefusedNamingBothLines() throws Exception {
    Path config =
        Files.writeString(
            dir.resolve("mayfly.properties"),
            "defaults.max-runners = 4\nretention = 1d\ndefaults.max-runners = 8\n");
    StringWriter err = new StringWriter();
    int code = run(err, "queues", "--config", config.toString(), "--db", db());

    assertThat(code).as(err.toString()).isEqualTo(2);
    assertThat(err.toString())
        .contains("'defaults.max-runners' is set twice, on line 1 and on line 3; keep one");
    assertThat(dir.resolve("bad.db")).doesNotExist();
  }

  @Test
  void aCronThatCanNeverFireIsRefused() throws Exception {
    Path config =
        Files.writeString(
            dir.resolve("mayfly.properties"),
            "schedule.never.cron = 0 0 31 2 *\nschedule.never.type = sleep\n"
                + "schedule.never.args = {\"millis\": 1}\n");
    StringWriter err = new StringWriter();
    int code = run(err, "tick", "--config", config.toString(), "--db", db());

    assertThat(code).as(err.toString()).isEqualTo(2);
    assertThat(err.toString()).contains("schedule 'never': cron '0 0 31 2 *' never fires");
    assertThat(dir.resolve("bad.db")).doesNotExist();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "heroku, HEROKU_API_KEY and HEROKU_APP_NAME",
    "kubernetes, needs MAYFLY_KUBERNETES_IMAGE"
  })
  void aPlatformLauncherWithoutItsSettingsStopsServeAtStart(String launcher, String needs)
      throws Exception {
    Path config =
        Files.writeString(dir.resolve("mayfly.properties"), "defaults.launcher = " + launcher);
    Path log = dir.resolve("serve.log");
    ProcessBuilder serve =
        CliProcess.of(log, "serve", "--no-dashboard", "--config", config.toString(), "--db", db());
    serve
        .environment()
        .keySet()
        .removeIf(
            k ->
                k.startsWith("HEROKU_")
                    || k.startsWith("MAYFLY_")
                    || k.startsWith("KUBE")
                    || k.equals("DATABASE_URL"));
    Process p = serve.start();
    try {
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("serve refused at once").isTrue();
      String said = Files.readString(log);
      assertThat(p.exitValue()).as(said).isEqualTo(2);
      assertThat(said).contains("defaults: launcher " + launcher).contains(needs);
    } finally {
      p.destroyForcibly();
    }
  }

  private String db() {
    return dir.resolve("bad.db").toString();
  }
}
