package dev.mayfly.examples.typocheck;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * The app's own tables ({@code schema.sql}): the commits pushes brought, and what their analysis
 * found. The same database is Mayfly's store, so a push's rows and its jobs commit together.
 */
@Repository
public class Findings {
  /** A commit as a push announced it, at a position in the push (oldest first). */
  public record Pushed(
      String repo, String sha, String message, String author, @Nullable String url, int position) {}

  /** A misspelling found at a line of a file of a commit. */
  public record Finding(String path, int line, int column, String word, String suggestion) {}

  /** A commit with its analysis, if it has been analysed. */
  public record Commit(
      String repo,
      String sha,
      String message,
      String author,
      @Nullable String url,
      Instant receivedAt,
      @Nullable Long jobId,
      @Nullable Instant analyzedAt,
      @Nullable String analyzedBy,
      @Nullable Integer linesChecked,
      List<Finding> findings) {}

  private final JdbcClient db;

  public Findings(JdbcClient db) {
    this.db = db;
  }

  /** Stores a pushed commit; false if it was known already (GitHub redelivers webhooks). */
  public boolean received(Pushed c, Instant at) {
    return db.sql(
                """
                INSERT INTO commits (repo, sha, message, author, url, received_at, position)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (repo, sha) DO NOTHING""")
            .params(
                c.repo(),
                c.sha(),
                c.message(),
                c.author(),
                c.url(),
                at.toEpochMilli(),
                c.position())
            .update()
        == 1;
  }

  public void jobEnqueued(String repo, String sha, long jobId) {
    db.sql("UPDATE commits SET job_id = ? WHERE repo = ? AND sha = ?")
        .params(jobId, repo, sha)
        .update();
  }

  /**
   * Replaces the commit's findings with these, in one transaction: a job may run twice (Mayfly
   * delivers at least once), and the second run must leave what the first one would have.
   */
  @Transactional
  public void analyzed(
      String repo, String sha, List<Finding> found, int linesChecked, String by, Instant at) {
    db.sql("DELETE FROM findings WHERE repo = ? AND sha = ?").params(repo, sha).update();
    for (Finding f : found) {
      db.sql(
              """
              INSERT INTO findings (repo, sha, path, line, col, word, suggestion)
              VALUES (?, ?, ?, ?, ?, ?, ?)""")
          .params(repo, sha, f.path(), f.line(), f.column(), f.word(), f.suggestion())
          .update();
    }
    db.sql(
            """
            UPDATE commits SET analyzed_at = ?, analyzed_by = ?, lines_checked = ?
            WHERE repo = ? AND sha = ?""")
        .params(at.toEpochMilli(), by, linesChecked, repo, sha)
        .update();
  }

  /** The latest commits received, newest first, each with its findings. */
  public List<Commit> latest(int limit) {
    Map<String, List<Finding>> found = new LinkedHashMap<>();
    List<Commit> commits = new ArrayList<>();
    db.sql(
            """
            SELECT repo, sha, message, author, url, received_at, job_id, analyzed_at, analyzed_by,
                   lines_checked
            FROM commits ORDER BY received_at DESC, position DESC LIMIT ?""")
        .param(limit)
        .query(
            rs -> {
              String key = rs.getString("repo") + "@" + rs.getString("sha");
              List<Finding> list = new ArrayList<>();
              found.put(key, list);
              long analyzed = rs.getLong("analyzed_at");
              boolean wasAnalyzed = !rs.wasNull();
              long job = rs.getLong("job_id");
              boolean hasJob = !rs.wasNull();
              int lines = rs.getInt("lines_checked");
              boolean hasLines = !rs.wasNull();
              commits.add(
                  new Commit(
                      rs.getString("repo"),
                      rs.getString("sha"),
                      rs.getString("message"),
                      rs.getString("author"),
                      rs.getString("url"),
                      Instant.ofEpochMilli(rs.getLong("received_at")),
                      hasJob ? job : null,
                      wasAnalyzed ? Instant.ofEpochMilli(analyzed) : null,
                      rs.getString("analyzed_by"),
                      hasLines ? lines : null,
                      list));
            });
    db.sql(
            """
            SELECT f.repo, f.sha, f.path, f.line, f.col, f.word, f.suggestion
            FROM findings f JOIN (
              SELECT repo, sha FROM commits ORDER BY received_at DESC, position DESC LIMIT ?
            ) c ON c.repo = f.repo AND c.sha = f.sha
            ORDER BY f.repo, f.sha, f.path, f.line, f.col""")
        .param(limit)
        .query(
            rs -> {
              List<Finding> list = found.get(rs.getString("repo") + "@" + rs.getString("sha"));
              if (list != null) {
                list.add(
                    new Finding(
                        rs.getString("path"),
                        rs.getInt("line"),
                        rs.getInt("col"),
                        rs.getString("word"),
                        rs.getString("suggestion")));
              }
            });
    return commits;
  }
}
