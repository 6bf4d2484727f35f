package dev.mayfly.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mayfly.cli.demo.DemoRepository;
import dev.mayfly.internal.jobs.Json;
import dev.mayfly.store.postgres.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The quick start's main command, with real runner processes. */
@Tag("processes")
class DemoTest {
  @TempDir Path dir;
  private String db;

  @AfterEach
  void dropSchema() {
    if (db != null && db.startsWith("jdbc:postgresql")) {
      TestDatabase.dropSchema(db);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void theDemoRunsEveryJobInAnotherProcessAndExitsZero(String store) throws Exception {
    db = store.equals("sqlite") ? dir.resolve("demo.db").toString() : TestDatabase.freshSchemaUrl();
    Path repo = DemoRepository.pick(null, dir, dir.resolve("demo-repo"), 1).repo();
    StringWriter out = new StringWriter();
    int code =
        Main.run(
            new PrintWriter(out, true),
            new PrintWriter(new StringWriter(), true),
            "demo",
            "--exit",
            "--jobs",
            "6",
            "--max-runners",
            "2",
            "--jobs-per-runner",
            "2",
            "--db",
            db,
            "--repo",
            repo.toString());

    assertThat(code).as(out.toString()).isZero();
    assertThat(out.toString())
        .contains("summary")
        .contains("none of them this one")
        .containsPattern("dashboard: http://127\\.0\\.0\\.1:\\d+/");

    JsonNode runners = json("runners");
    assertThat(runners.size()).isGreaterThanOrEqualTo(3); // 6 jobs, 2 per runner
    String self = Long.toString(ProcessHandle.current().pid());
    for (JsonNode r : runners) {
      assertThat(r.get("launcher").asText()).isEqualTo("local");
      assertThat(r.get("platformId").asText()).isNotEqualTo(self);
      assertThat(r.get("exitCode").asInt()).isZero();
      assertThat(r.get("billedSeconds").asDouble()).isPositive();
    }
    // The cost report covers exactly the demo's runners and the seconds they billed.
    JsonNode report = json("cost");
    double billed = 0;
    for (JsonNode r : runners) {
      billed += r.get("billedSeconds").asDouble();
    }
    assertThat(report.get("total").get("runners").asInt()).isEqualTo(runners.size());
    assertThat(report.get("total").get("billedSeconds").asDouble()).isCloseTo(billed, within(0.01));
    assertThat(report.get("byQueue").get(0).get("launcher").asText()).isEqualTo("local");
    assertThat(report.get("total").get("alwaysOnCost").asDouble()).isPositive();

    assertThat(json("jobs"))
        .hasSize(6)
        .allSatisfy(j -> assertThat(j.get("state").asText()).isEqualTo("succeeded"));
  }

  /** `mayfly COMMAND --json --db DB`, parsed. */
  private JsonNode json(String command) throws Exception {
    StringWriter out = new StringWriter();
    Main.run(
        new PrintWriter(out, true),
        new PrintWriter(new StringWriter()),
        command,
        "--json",
        "--db",
        db);
    return Json.mapper().readTree(out.toString());
  }
}
