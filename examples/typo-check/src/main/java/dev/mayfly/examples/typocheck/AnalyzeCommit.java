package dev.mayfly.examples.typocheck;

import dev.mayfly.api.Job;
import dev.mayfly.api.JobContext;
import dev.mayfly.api.JobType;
import dev.mayfly.api.Outcome;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * The job: reads the lines a commit added, spell-checks them and stores what it found. It runs in a
 * one-off runner process, which boots this app for it, so its three collaborators are the app's own
 * beans there.
 */
@Component
@JobType("analyze-commit")
public class AnalyzeCommit implements Job<AnalyzeCommit.Args> {
  /**
   * @param repo the repository's full name ({@code owner/name})
   * @param cloneUrl where to read it from
   * @param sha the commit
   */
  public record Args(String repo, String cloneUrl, String sha) {}

  private final CommitReader commits;
  private final SpellChecker spelling;
  private final Findings findings;

  public AnalyzeCommit(CommitReader commits, SpellChecker spelling, Findings findings) {
    this.commits = commits;
    this.spelling = spelling;
    this.findings = findings;
  }

  @Override
  public Outcome perform(Args args, JobContext ctx) {
    List<CommitReader.AddedLine> lines = commits.addedLines(args.cloneUrl(), args.sha());
    List<Findings.Finding> found = new ArrayList<>();
    for (CommitReader.AddedLine line : lines) {
      for (SpellChecker.Typo t : spelling.check(line.text())) {
        found.add(
            new Findings.Finding(line.path(), line.line(), t.column(), t.word(), t.suggestion()));
      }
    }
    String by = "runner " + ctx.runnerId() + " (pid " + ProcessHandle.current().pid() + ")";
    findings.analyzed(args.repo(), args.sha(), found, lines.size(), by, Instant.now());
    ctx.log()
        .info(
            args.sha().substring(0, 7)
                + ": "
                + lines.size()
                + " lines checked, "
                + found.size()
                + " misspellings");
    return Outcome.success();
  }
}
