package dev.mayfly.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mayfly.protocol.OutputMarkers.JobAttempt;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the runner writes, the reader attributes: every marker the runner prints, read back. */
class OutputMarkersTest {
  private final OutputMarkers.Reader reader = new OutputMarkers.Reader();

  private enum ExitReason {
    IDLE
  }

  private List<JobAttempt> owners(String... lines) {
    List<JobAttempt> owners = new ArrayList<>();
    for (String line : lines) {
      owners.add(reader.owner(line));
    }
    return owners;
  }

  @Test
  void whatAJobPrintsBetweenItsMarkersIsItsOwn() {
    JobAttempt seven = new JobAttempt(7, 2);
    assertThat(
            owners(
                OutputMarkers.runnerStarted("r-1", "default", 0, 1000, Instant.EPOCH),
                "before any job",
                OutputMarkers.jobStarted(7, "send-mail", 2),
                "hello from job 7",
                OutputMarkers.jobLogged(7, "info", "stored by the runner already"),
                OutputMarkers.runnerNote("heartbeat failed, will retry: timeout"),
                "more from job 7",
                OutputMarkers.jobEnded(7, "send-mail", 2, "succeeded", 12),
                "after the job",
                OutputMarkers.runnerExiting("r-1", ExitReason.IDLE, 1)))
        .containsExactly(null, null, null, seven, null, null, seven, null, null, null);
  }

  @Test
  void inABatchAJobsOutputLastsUntilTheNextStart() {
    assertThat(
            owners(
                OutputMarkers.jobStarted(1, "a", 1),
                "one",
                OutputMarkers.jobStarted(2, "a", 1),
                "two",
                OutputMarkers.jobEnded(1, "a", 1, "succeeded", 1),
                "still two",
                OutputMarkers.jobEnded(2, "a", 1, "failed: boom", 1),
                "nobody's"))
        .containsExactly(
            null,
            new JobAttempt(1, 1),
            null,
            new JobAttempt(2, 1),
            null,
            new JobAttempt(2, 1),
            null,
            null);
  }

  @Test
  void aJobGivenBackEndsItsOutput() {
    assertThat(
            owners(
                OutputMarkers.jobStarted(3, "odd (type) name", 1),
                "three",
                OutputMarkers.jobGivenBack(3, "odd (type) name", "the runner was stopped"),
                "after",
                OutputMarkers.jobGivenBackUnstarted(4, "a")))
        .containsExactly(null, new JobAttempt(3, 1), null, null, null);
  }

  @Test
  void aRetriedJobsAttemptsAreTold() {
    assertThat(
            owners(
                OutputMarkers.jobStarted(5, "a", 1),
                "first",
                OutputMarkers.jobEnded(5, "a", 1, "failed: x", 1),
                OutputMarkers.jobStarted(5, "a", 2),
                "second"))
        .containsExactly(null, new JobAttempt(5, 1), null, null, new JobAttempt(5, 2));
  }

  @Test
  void aRunnerWithNoRowNamesItsStoreAndOwnsNoLine() {
    String line = OutputMarkers.runnerHasNoRow("r-1", "postgres://bob:****@db.example:5432/app");
    assertThat(line).startsWith("mayfly runner r-1 has no row");
    assertThat(OutputMarkers.storeWithoutTheRunner(line))
        .isEqualTo("postgres://bob:****@db.example:5432/app");
    assertThat(OutputMarkers.storeWithoutTheRunner(OutputMarkers.runnerNote("anything"))).isNull();
    assertThat(owners(line)).containsExactly((JobAttempt) null);
  }

  @Test
  void theLinesTheCurrentJobLoggedAreToldApartFromWhatItPrinted() {
    reader.owner(OutputMarkers.jobStarted(7, "send-mail", 1));
    String logged = OutputMarkers.jobLogged(7, "info", "stored by the runner already");
    assertThat(reader.owner(logged)).isNull();
    assertThat(reader.logged(logged)).isTrue();
    assertThat(reader.owner("printed")).isEqualTo(new JobAttempt(7, 1));
    assertThat(reader.logged("printed")).isFalse();
    assertThat(reader.current()).isEqualTo(new JobAttempt(7, 1));
    reader.owner(OutputMarkers.jobEnded(7, "send-mail", 1, "succeeded", 3));
    assertThat(reader.current()).isNull();
    assertThat(reader.logged(logged)).isFalse();
  }
}
