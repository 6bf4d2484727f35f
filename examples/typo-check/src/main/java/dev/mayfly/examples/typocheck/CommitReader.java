package dev.mayfly.examples.typocheck;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.diff.Edit;
import org.eclipse.jgit.diff.RawText;
import org.eclipse.jgit.diff.RawTextComparator;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.util.io.DisabledOutputStream;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Reads what a commit added, line by line, with JGit. A repository on this machine (a folder, or a
 * {@code file:} URL, as in the tests and the demo) is opened where it is; any other URL is cloned
 * once per process into {@code typo-check.work-dir} (a one-off process has its own disk on Heroku,
 * and a runner drains many commits of a push with one clone) and fetched again when a commit is not
 * there yet.
 */
@Component
public class CommitReader {
  /** Files larger than this are not read: generated or vendored, not prose. */
  private static final long MAX_FILE_BYTES = 512 * 1024;

  /** One line a commit added or changed. */
  public record AddedLine(String path, int line, String text) {}

  private final Path workDir;
  private final Map<String, Repository> open = new ConcurrentHashMap<>();

  public CommitReader(@Value("${typo-check.work-dir:}") String workDir) {
    this.workDir =
        workDir.isBlank()
            ? Path.of(
                System.getProperty("java.io.tmpdir"), "typo-check-" + ProcessHandle.current().pid())
            : Path.of(workDir);
  }

  /** The lines {@code sha} added, against its first parent (everything, for a first commit). */
  public List<AddedLine> addedLines(String cloneUrl, String sha) {
    try {
      Repository repo = repository(cloneUrl, sha);
      try (RevWalk walk = new RevWalk(repo);
          DiffFormatter diff = new DiffFormatter(DisabledOutputStream.INSTANCE)) {
        RevCommit commit = walk.parseCommit(ObjectId.fromString(sha));
        diff.setRepository(repo);
        diff.setDiffComparator(RawTextComparator.DEFAULT);
        diff.setDetectRenames(true);
        // against nothing (null: the empty tree) for a first commit
        List<DiffEntry> entries =
            diff.scan(
                commit.getParentCount() == 0
                    ? null
                    : walk.parseCommit(commit.getParent(0)).getTree(),
                commit.getTree());
        List<AddedLine> lines = new ArrayList<>();
        for (DiffEntry e : entries) {
          if (e.getChangeType() == DiffEntry.ChangeType.DELETE) {
            continue;
          }
          var loader = repo.open(e.getNewId().toObjectId());
          if (loader.getSize() > MAX_FILE_BYTES) {
            continue;
          }
          byte[] bytes = loader.getBytes();
          if (RawText.isBinary(bytes)) {
            continue;
          }
          RawText text = new RawText(bytes);
          for (Edit edit : diff.toFileHeader(e).toEditList()) {
            for (int i = edit.getBeginB(); i < edit.getEndB(); i++) {
              lines.add(new AddedLine(e.getNewPath(), i + 1, text.getString(i)));
            }
          }
        }
        return lines;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Repository repository(String cloneUrl, String sha) throws IOException {
    Path local = localPath(cloneUrl);
    if (local != null) {
      return open.computeIfAbsent(cloneUrl, u -> openAt(local));
    }
    synchronized (this) {
      Repository repo = open.get(cloneUrl);
      if (repo == null) {
        repo = cloneOf(cloneUrl);
        open.put(cloneUrl, repo);
      } else if (!repo.getObjectDatabase().has(ObjectId.fromString(sha))) {
        try (Git git = new Git(repo)) {
          git.fetch().call(); // pushed after this process cloned
        } catch (GitAPIException e) {
          throw new IOException("could not fetch " + cloneUrl + ": " + e.getMessage(), e);
        }
      }
      return repo;
    }
  }

  private Repository cloneOf(String url) throws IOException {
    // one folder per URL, named by its hash
    Path dir =
        workDir.resolve(UUID.nameUUIDFromBytes(url.getBytes(StandardCharsets.UTF_8)).toString());
    if (Files.isDirectory(dir)) {
      return openAt(dir);
    }
    try {
      return Git.cloneRepository()
          .setURI(url)
          .setBare(true)
          .setDirectory(dir.toFile())
          .setProgressMonitor(null)
          .call()
          .getRepository();
    } catch (GitAPIException e) {
      throw new IOException("could not clone " + url + ": " + e.getMessage(), e);
    }
  }

  private static Repository openAt(Path dir) {
    try {
      Path dotGit = dir.resolve(".git");
      Path gitDir = Files.isDirectory(dotGit) ? dotGit : dir; // a work tree, or a bare repository
      return new FileRepositoryBuilder().setGitDir(gitDir.toFile()).setMustExist(true).build();
    } catch (IOException e) {
      throw new UncheckedIOException("not a git repository: " + dir, e);
    }
  }

  /** The folder a local repository URL names, or null for a remote one. */
  static @Nullable Path localPath(String url) {
    if (url.startsWith("file:")) {
      return Path.of(URI.create(url));
    }
    if (url.contains("://") || url.matches("^[\\w.-]+@[\\w.-]+:.*")) {
      return null; // https://, ssh://, git@host:path
    }
    return Path.of(url);
  }
}
