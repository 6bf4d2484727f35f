package dev.mayfly.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mayfly.internal.jobs.Json;
import dev.mayfly.store.ClaimRequest;
import dev.mayfly.store.Finish;
import dev.mayfly.store.JobStore;
import dev.mayfly.store.NewJob;
import dev.mayfly.store.connect.JobStores;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {
  @TempDir Path dir;

  record Result(int code, String out, String err) {
    JsonNode json() throws Exception {
      return Json.mapper().readTree(out);
    }
  }

  private Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--db");
    all.add(dir.resolve("cli.db").toString());
    int code =
        Main.run(
            new PrintWriter(out, true), new PrintWriter(err, true), all.toArray(String[]::new));
    return new Result(code, out.toString(), err.toString());
  }

  /** No store made by a command refused, or none of its jobs written. */
  private void assertNothingWritten() throws Exception {
    if (Files.exists(dir.resolve("cli.db"))) {
      assertThat(run("jobs", "--json").json()).isEmpty();
    }
  }

  @Test
  void enqueueingAnUnknownTypeIsAUsageErrorThatWritesNothing() throws Exception {
    Result r = run("enqueue", "analyse", "--args", "{}");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .contains("unknown job type 'analyse'")
        .contains("analyse-commit, sleep, fail");
    assertNothingWritten();
  }

  @Test
  void argumentsThatDoNotParseOrBindAreUsageErrors() throws Exception {
    assertThat(run("enqueue", "sleep", "--args", "{\"millis\": ").err()).contains("not valid JSON");
    Result mistyped = run("enqueue", "sleep", "--args", "{\"millis\": \"soon\"}");
    assertThat(mistyped.code()).isEqualTo(2);
    assertThat(mistyped.err()).contains("'millis'").contains("long");
    assertThat(run("enqueue", "sleep", "--args", "{\"milis\": 5}").err())
        .contains("needs argument 'millis'");
    assertThat(run("enqueue", "sleep", "--args", "{\"millis\": 5, \"x\": 1}").err())
        .contains("has no argument 'x'");
    assertThat(run("enqueue", "sleep", "--args", "{}", "--in", "-5m").code()).isEqualTo(2);
    assertThat(run("enqueue", "sleep", "--args", "{\"millis\": 1}", "--queue", "Bad Queue").err())
        .contains("invalid name");
    assertThat(run("enqueue", "sleep", "--args", "{\"millis\": 1}", "--count", "0").code())
        .isEqualTo(2);
    assertNothingWritten();
  }

  @Test
  void theHerokuEmulatorRefusesAProcfileItCannotUse(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    Result missing = run("heroku-emulator", "--port", "0", "--procfile", "no/Procfile");
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err()).contains("--procfile no/Procfile: no such file");
    Path empty = Files.writeString(dir.resolve("Procfile"), "# nothing here\n");
    Result none = run("heroku-emulator", "--port", "0", "--procfile", empty.toString());
    assertThat(none.code()).isEqualTo(2);
    assertThat(none.err()).contains("has no process type");
  }

  @Test
  void unknownOptionsAndCommandsAreUsageErrors() {
    assertThat(run("enqueue", "sleep", "--argz", "{}").code()).isEqualTo(2);
    assertThat(run("frobnicate").code()).isEqualTo(2);
    assertThat(run("jobs", "--state", "finished").err()).contains("unknown job state 'finished'");
  }

  @Test
  void aDatabaseUrlThatIsNotSupportedIsExplained() {
    StringWriter err = new StringWriter();
    int code =
        Main.run(
            new PrintWriter(new StringWriter()),
            new PrintWriter(err, true),
            "jobs",
            "--db",
            "mysql://u:pw@h/db");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("unrecognised database URL").doesNotContain("pw@");
  }

  @Test
  void jsonOutputCarriesTheDocumentedFields() throws Exception {
    Result enq =
        run(
            "enqueue",
            "sleep",
            "--args",
            "{\"millis\": 5}",
            "--count",
            "3",
            "--in",
            "1h",
            "--json");
    assertThat(enq.code()).isZero();
    assertThat(enq.json().get("ids")).hasSize(3);
    long id = enq.json().get("ids").get(0).asLong();

    JsonNode jobs = run("jobs", "--json", "--state", "scheduled").json();
    assertThat(jobs).hasSize(3);
    JsonNode job = jobs.get(0);
    for (String field :
        List.of(
            "id",
            "type",
            "queue",
            "state",
            "attempts",
            "runnerId",
            "enqueuedAt",
            "startedAt",
            "finishedAt",
            "error")) {
      assertThat(job.has(field)).as(field).isTrue();
    }
    assertThat(job.get("state").asText()).isEqualTo("scheduled");
    assertThat(job.get("enqueuedAt").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
    assertThat(job.get("args").get("millis").asLong()).isEqualTo(5);

    JsonNode detail = run("job", Long.toString(id), "--json").json();
    assertThat(detail.get("job").get("id").asLong()).isEqualTo(id);
    assertThat(detail.has("attempts")).isTrue();
    assertThat(detail.has("log")).isTrue();

    assertThat(run("runners", "--json").json()).isEmpty();
    assertThat(run("job", "999999").err()).contains("there is no job 999999");
  }

  @Test
  void benchThroughputPrintsTheDocumentedJsonAndLeavesNothingBehind() throws Exception {
    StringWriter out = new StringWriter();
    Path db = dir.resolve("bench/user.db");
    int code =
        Main.run(
            new PrintWriter(out, true),
            new PrintWriter(new StringWriter(), true),
            "bench",
            "throughput",
            "--db",
            db.toString(),
            "--jobs",
            "300",
            "--workers",
            "2",
            "--json");
    assertThat(code).isZero();
    JsonNode r = Json.mapper().readTree(out.toString());
    for (String key :
        List.of(
            "enqueuePerSecond",
            "batchEnqueuePerSecond",
            "executePerSecond",
            "latencyP50Millis",
            "latencyP99Millis")) {
      assertThat(r.get(key).asDouble()).as(key).isPositive();
    }
    assertThat(java.nio.file.Files.list(db.getParent())).isEmpty();
  }

  @Test
  void benchCostTimesTheReportOverTheHistoryItWroteAndLeavesNothingBehind() throws Exception {
    StringWriter out = new StringWriter();
    Path db = dir.resolve("costbench/user.db");
    int code =
        Main.run(
            new PrintWriter(out, true),
            new PrintWriter(new StringWriter(), true),
            "bench",
            "cost",
            "--db",
            db.toString(),
            "--runners",
            "300",
            "--jobs-per-runner",
            "3",
            "--rounds",
            "1",
            "--json");
    assertThat(code).isZero();
    JsonNode r = Json.mapper().readTree(out.toString());
    assertThat(r.get("runners").asInt()).isEqualTo(300);
    assertThat(r.get("attempts").asInt()).isEqualTo(900);
    assertThat(r.get("costReportMillis").asDouble()).isPositive();
    assertThat(r.get("queueCountsMillis").asDouble()).isPositive();
    assertThat(java.nio.file.Files.list(db.getParent())).isEmpty();
  }

  @Test
  void cancelAndRetryWorkFromTheCommandLine() throws Exception {
    long id =
        run("enqueue", "sleep", "--args", "{\"millis\": 5}", "--json")
            .json()
            .get("ids")
            .get(0)
            .asLong();

    assertThat(run("cancel", Long.toString(id), "--json").json().get("state").asText())
        .isEqualTo("cancelled");
    assertThat(run("retry", Long.toString(id), "--json").json().get("state").asText())
        .isEqualTo("queued");
    assertThat(run("retry", "--dead", "--json").json().get("retried").asInt()).isZero();
    assertThat(run("cancel", "424242").code()).isEqualTo(2);
    assertThat(run("retry").code()).as("an id or --dead is needed").isEqualTo(2);
  }

  @Test
  void aUniqueKeyReturnsTheJobAlreadyWaiting() throws Exception {
    long a =
        run("enqueue", "sleep", "--args", "{\"millis\": 5}", "--unique", "k1", "--json")
            .json()
            .get("ids")
            .get(0)
            .asLong();
    long b =
        run("enqueue", "sleep", "--args", "{\"millis\": 5}", "--unique", "k1", "--json")
            .json()
            .get("ids")
            .get(0)
            .asLong();
    assertThat(b).isEqualTo(a);
    assertThat(
            run("enqueue", "sleep", "--args", "{\"millis\": 5}", "--unique", "k2", "--count", "2")
                .code())
        .isEqualTo(2);
    assertThat(run("jobs", "--json").json()).hasSize(1);
  }

  @Test
  void jobsArePagedWithACursor() throws Exception {
    run("enqueue", "sleep", "--args", "{\"millis\": 5}", "--count", "5");
    Result first = run("jobs", "--limit", "2");
    assertThat(first.out()).contains("more: add --before 4 for the next page");
    List<Long> seen = new java.util.ArrayList<>();
    String before = null;
    while (true) {
      List<String> args = new java.util.ArrayList<>(List.of("jobs", "--json", "--limit", "2"));
      if (before != null) {
        args.addAll(List.of("--before", before));
      }
      JsonNode page = run(args.toArray(String[]::new)).json();
      if (page.isEmpty()) {
        break;
      }
      page.forEach(j -> seen.add(j.get("id").asLong()));
      before = page.get(page.size() - 1).get("id").asText();
    }
    assertThat(seen).containsExactly(5L, 4L, 3L, 2L, 1L);
    assertThat(run("jobs", "--before", "2").out()).doesNotContain("more:");
  }

  @Test
  void humanOutputListsJobs() {
    run("enqueue", "fail", "--args", "{\"message\": \"x\"}");
    Result r = run("jobs");
    assertThat(r.out()).contains("ID").contains("fail").contains("queued");
  }

  private int queues;

  /** A job of {@code key} (none if null) that ran once and died, alone in a queue of its own. */
  private long dead(@Nullable String key) {
    try (JobStore store = JobStores.open(dir.resolve("cli.db").toString())) {
      Instant now = Instant.now();
      String queue = "q" + ++queues;
      long id =
          store
              .intake()
              .enqueue(
                  new NewJob(
                      "sleep",
                      queue,
                      "{\"millis\":1}",
                      0,
                      now,
                      Duration.ofMinutes(1),
                      1,
                      now,
                      key));
      store
          .runnerQueue()
          .claim(new ClaimRequest(queue, "r", now, Duration.ofHours(1), now.plusSeconds(30), 1))
          .getFirst();
      store.runnerQueue().finish(id, "r", new Finish.Failed(now, "boom", null));
      return id;
    }
  }

  @Test
  void retryingDeadJobsRetriesAllItCanAndSaysWhichAUniqueKeyHoldsBack() throws Exception {
    long older = dead("k1");
    long newer = dead("k1");
    dead(null);

    Result text = run("retry", "--dead");

    assertThat(text.code()).as(text.err()).isZero();
    assertThat(text.out())
        .contains("retried 2 dead job(s)")
        .contains("job " + older + " not retried: a live job " + newer + " holds unique key 'k1'");

    long other = dead("k2");
    long otherNewer = dead("k2");
    Result json = run("retry", "--dead", "--json");

    assertThat(json.code()).as(json.err()).isZero();
    JsonNode r = json.json();
    assertThat(r.get("retried").asInt()).isEqualTo(1);
    assertThat(r.get("refused"))
        .extracting(n -> n.get("id").asLong(), n -> n.get("heldBy").asLong())
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(older, newer),
            org.assertj.core.groups.Tuple.tuple(other, otherNewer));

    Result one = run("retry", Long.toString(older));

    assertThat(one.code()).isEqualTo(2);
    assertThat(one.err())
        .contains(
            "job " + older + " was not retried: a live job " + newer + " holds unique key 'k1'");
  }
}
