package dev.mayfly.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mayfly.internal.jobs.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fault suite, item 5: bad input of every kind is refused with a message, and nothing is written.
 */
@Tag("faults")
class BadInputFaultTest {
  @TempDir Path dir;

  record Case(String name, List<String> args, String message) {
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
        new Case("unknown job id", List.of("job", "999999"), "there is no job 999999"),
        new Case("cancel unknown job", List.of("cancel", "999999"), "there is no job 999999"),
        new Case("retry unknown job", List.of("retry", "999999"), "there is no job 999999"),
        new Case("unknown state", List.of("jobs", "--state", "done"), "unknown job state 'done'"),
        new Case("cursor not an id", List.of("jobs", "--before", "0"), "--before must be a job id"),
        new Case(
            "cursor not a runner",
            List.of("runners", "--before", "r-nope"),
            "--before: there is no runner r-nope"),
        new Case("bad cost period", List.of("cost", "--since", "lately"), "--since: 'lately'"),
        new Case(
            "dashboard port out of range",
            List.of("serve", "--port", "70000"),
            "dashboard port must be 0-65535"),
        new Case(
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
}
