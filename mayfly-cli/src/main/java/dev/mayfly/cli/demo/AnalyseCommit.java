package dev.mayfly.cli.demo;

import dev.mayfly.api.Job;
import dev.mayfly.api.JobContext;
import dev.mayfly.api.JobType;
import dev.mayfly.api.Outcome;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * The job the whole idea started from: spell-check one commit (its message and the lines it adds)
 * against a list of common misspellings. Each finding is a warning in the job's log.
 */
@JobType(value = "analyse-commit", timeoutSeconds = 120)
public final class AnalyseCommit implements Job<AnalyseCommit.Args> {

  /**
   * @param repo the path of the repository's working tree or .git directory
   * @param commit the full or abbreviated commit id
   */
  public record Args(String repo, String commit) {}

  /** Diffs larger than this are skipped: generated files, not prose. */
  private static final int MAX_DIFF_BYTES = 512 * 1024;

  @Override
  public Outcome perform(Args args, JobContext ctx) throws Exception {
    try (Repository repo =
            new FileRepositoryBuilder()
                .findGitDir(new File(args.repo()))
                .setMustExist(true)
                .build();
        RevWalk walk = new RevWalk(repo)) {
      ObjectId id = repo.resolve(args.commit());
      if (id == null) {
        return Outcome.discard("commit " + args.commit() + " is not in " + args.repo());
      }
      RevCommit commit = walk.parseCommit(id);
      String shortId = commit.abbreviate(7).name();
      int findings = report(ctx, shortId, "message", commit.getFullMessage());
      int added = 0;
      ByteArrayOutputStream patch = new ByteArrayOutputStream();
      try (DiffFormatter diff = new DiffFormatter(patch)) {
        diff.setRepository(repo);
        RevCommit parent =
            commit.getParentCount() > 0 ? walk.parseCommit(commit.getParent(0)) : null;
        List<DiffEntry> entries =
            diff.scan(parent == null ? null : parent.getTree(), commit.getTree());
        for (DiffEntry entry : entries) {
          patch.reset();
          diff.format(entry);
          if (patch.size() > MAX_DIFF_BYTES) {
            continue;
          }
          for (String line : patch.toString(StandardCharsets.UTF_8).split("\n")) {
            if (line.startsWith("+") && !line.startsWith("+++")) {
              added++;
              findings += report(ctx, shortId, entry.getNewPath(), line.substring(1));
            }
          }
        }
      }
      ctx.log()
          .info(
              String.format(
                  "%s \"%s\": %d misspelling(s) in the message and %d added line(s)",
                  shortId, commit.getShortMessage(), findings, added));
      return Outcome.success();
    }
  }

  private static int report(JobContext ctx, String commit, String where, String text) {
    List<Misspellings.Finding> found = Misspellings.find(text);
    for (Misspellings.Finding f : found) {
      ctx.log().warn(commit + " " + where + ": '" + f.word() + "' should be '" + f.fix() + "'");
    }
    return found.size();
  }
}
