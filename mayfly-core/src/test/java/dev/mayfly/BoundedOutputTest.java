package dev.mayfly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mayfly.api.JobState;
import dev.mayfly.api.LogLine;
import dev.mayfly.api.RunnerFilter;
import dev.mayfly.protocol.HeadAndTail;
import dev.mayfly.protocol.LineCap;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A job that prints and logs without end, in a real runner process, judged from the store. */
@Tag("processes")
class BoundedOutputTest {
  private static final String TRUNCATED_LINES =
      "\\.\\.\\. truncated \\d+ lines \\(\\d+ bytes\\) \\.\\.\\.";

  @TempDir Path dir;

  @Test
  void aJobPrintingFiftyMegabytesKeepsItsHeadAndTailOnceWithinTheLimitsAndSucceeds()
      throws SQLException {
    OutputLimits limits =
        OutputLimits.defaults().maxLine(4096).maxAttempt(256 * 1024).maxRunner(256 * 1024);
    Path file = dir.resolve("flood.db");
    MayflyConfig config =
        MayflyConfig.builder()
            .database(file.toString())
            .environment(Map.of())
            .jobs(CoreTestJobs.Flood.class)
            .output(limits)
            .defaults(
                QueueConfig.defaults("default")
                    .launcher("local")
                    .maxRunners(1)
                    .idleExit(Duration.ofMillis(200)))
            .build();
    int lines = 500_000; // of about 100 bytes: 50 MB
    int longLine = 5 * 1024 * 1024;
    int logged = 100_000;
    try (Mayfly mayfly = Mayfly.create(config).start()) {
      long id =
          mayfly.enqueue(
              CoreTestJobs.Flood.class, new CoreTestJobs.Flood.Args(lines, longLine, logged));
      await()
          .atMost(Duration.ofMinutes(3))
          .until(() -> mayfly.admin().job(id).orElseThrow().state() == JobState.SUCCEEDED);
      String runner = mayfly.admin().job(id).orElseThrow().runnerId();
      // the tails are stored once the runner has ended
      await()
          .atMost(Duration.ofMinutes(1))
          .until(
              () ->
                  mayfly.admin().runnerOutput(runner).stream()
                      .anyMatch(l -> l.message().contains("exiting")));

      List<LogLine> log = mayfly.admin().jobDetail(id).orElseThrow().log();
      List<LogLine> printed = log.stream().filter(l -> l.level().equals("out")).toList();
      List<LogLine> ownLog = log.stream().filter(l -> l.level().equals("info")).toList();

      assertThat(printed.get(0).message()).startsWith("printed 0 ");
      assertThat(printed.get(1).message()).matches("L+\\.\\.\\. \\[truncated \\d+ bytes\\]");
      assertThat(LineCap.utf8Length(printed.get(1).message())).isLessThanOrEqualTo(4096);
      assertThat(printed).anyMatch(l -> l.message().matches(TRUNCATED_LINES));
      assertThat(printed.getLast().message()).startsWith("printed " + (lines - 1) + " ");
      assertThat(costs(printed)).isLessThanOrEqualTo(limits.maxAttempt() + 200);

      assertThat(ownLog.getFirst().message()).isEqualTo("logged 0");
      assertThat(ownLog).anyMatch(l -> l.message().matches(TRUNCATED_LINES));
      assertThat(ownLog.getLast().message()).isEqualTo("logged " + (logged - 1));
      assertThat(costs(ownLog)).isLessThanOrEqualTo(limits.maxAttempt() + 200);

      List<String> output =
          mayfly.admin().runnerOutput(runner).stream().map(LogLine::message).toList();
      assertThat(output).anyMatch(m -> m.startsWith("mayfly runner " + runner + " started"));
      assertThat(output).anyMatch(m -> m.matches("job " + id + " \\(flood\\) attempt 1 started"));
      assertThat(output).filteredOn(m -> m.startsWith("printed 0 ")).hasSize(1);

      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
        assertThat(number(c, "SELECT count(*) FROM mayfly_job_log WHERE level = 'out'"))
            .as("printed lines live in the runner's output only")
            .isZero();
        assertThat(number(c, "SELECT count(*) FROM mayfly_runner_output WHERE line LIKE '[job %'"))
            .as("logged lines live in the job's log only")
            .isZero();
        assertThat(
                number(
                    c,
                    "SELECT (SELECT sum(length(line)) FROM mayfly_runner_output)"
                        + " + (SELECT sum(length(message)) FROM mayfly_job_log)"))
            .isLessThan(2 * limits.maxAttempt() + limits.maxRunner());
      }

      Dispatcher dispatcher = mayfly.dispatcher();
      assertThat(dispatcher).isNotNull();
      assertThat(dispatcher.outputHeldPeak())
          .as("a batch and the tails, at most")
          .isPositive()
          .isLessThanOrEqualTo(
              256 * 1024 + (limits.maxAttempt() + limits.maxRunner()) / 2 + 2L * limits.maxLine());
      assertThat(mayfly.admin().runners(RunnerFilter.all()))
          .singleElement()
          .satisfies(r -> assertThat(r.exitCode()).isZero());
    }
  }

  private static long costs(List<LogLine> lines) {
    return lines.stream().mapToLong(HeadAndTail::cost).sum();
  }

  private static long number(Connection c, String sql) throws SQLException {
    try (var st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
