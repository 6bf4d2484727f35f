package dev.mayfly.examples.typocheck;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.mayfly.Mayfly;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** What a push brings: its commits stored, and one analysis job for each new one. */
@Service
public class Pushes {
  /** The parts of GitHub's push event payload the app reads. */
  public record PushEvent(
      @Nullable String ref, Repo repository, @Nullable List<PushedCommit> commits) {}

  public record Repo(
      @JsonProperty("full_name") String fullName, @JsonProperty("clone_url") String cloneUrl) {}

  public record PushedCommit(String id, String message, @Nullable String url, Author author) {}

  public record Author(String name) {}

  private final Findings findings;
  private final Mayfly mayfly;
  private final String repository;

  public Pushes(
      Findings findings, Mayfly mayfly, @Value("${typo-check.repository:}") String repository) {
    this.findings = findings;
    this.mayfly = mayfly;
    this.repository = repository;
  }

  /**
   * Stores the push's commits and enqueues their analyses in one transaction: Mayfly's store is the
   * app's database, so the jobs are written on this transaction's connection and exist only if the
   * commits do. A commit seen before (a redelivered webhook) is not analysed again.
   *
   * @return how many jobs were enqueued
   */
  @Transactional
  public int received(PushEvent push) {
    String cloneUrl = repository.isBlank() ? push.repository().cloneUrl() : repository;
    String repo = push.repository().fullName();
    int enqueued = 0;
    Instant now = Instant.now();
    List<PushedCommit> commits = push.commits() == null ? List.of() : push.commits();
    for (int i = 0; i < commits.size(); i++) {
      PushedCommit c = commits.get(i);
      var pushed = new Findings.Pushed(repo, c.id(), c.message(), c.author().name(), c.url(), i);
      if (findings.received(pushed, now)) {
        long job =
            mayfly.enqueue(AnalyzeCommit.class, new AnalyzeCommit.Args(repo, cloneUrl, c.id()));
        findings.jobEnqueued(repo, c.id(), job);
        enqueued++;
      }
    }
    return enqueued;
  }
}
