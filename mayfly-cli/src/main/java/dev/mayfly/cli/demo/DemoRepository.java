package dev.mayfly.cli.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TimeZone;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.jspecify.annotations.Nullable;

/** Finds the repository the demo analyses: the current checkout, or a small bundled history. */
public final class DemoRepository {
  private DemoRepository() {}

  /** A repository and the commits to analyse, newest first. */
  public record Picked(Path repo, boolean bundled, List<String> commits) {}

  /**
   * Uses {@code explicit} if given, else the git checkout around the working directory, else the
   * bundled history (written once to {@code bundledDir}).
   */
  public static Picked pick(@Nullable Path explicit, Path cwd, Path bundledDir, int max)
      throws IOException, GitAPIException {
    if (explicit != null) {
      Path repo =
          checkout(explicit)
              .orElseThrow(
                  () -> new IllegalArgumentException(explicit + " is not inside a git repository"));
      return new Picked(repo, false, recentCommits(repo, max));
    }
    Optional<Path> here = checkout(cwd);
    if (here.isPresent()) {
      List<String> commits = recentCommits(here.get(), max);
      if (!commits.isEmpty()) {
        return new Picked(here.get(), false, commits);
      }
    }
    if (!Files.isDirectory(bundledDir.resolve(".git"))) {
      createBundled(bundledDir);
    }
    return new Picked(bundledDir, true, recentCommits(bundledDir, max));
  }

  private static Optional<Path> checkout(Path dir) {
    FileRepositoryBuilder b = new FileRepositoryBuilder().findGitDir(dir.toAbsolutePath().toFile());
    if (b.getGitDir() == null) {
      return Optional.empty();
    }
    Path gitDir = b.getGitDir().toPath();
    Path parent = gitDir.getParent();
    return Optional.of(
        parent != null && gitDir.getFileName().toString().equals(".git") ? parent : gitDir);
  }

  static List<String> recentCommits(Path repo, int max) throws IOException {
    try (Repository r = new FileRepositoryBuilder().findGitDir(repo.toFile()).build();
        RevWalk walk = new RevWalk(r)) {
      var head = r.resolve("HEAD");
      if (head == null) {
        return List.of();
      }
      walk.markStart(walk.parseCommit(head));
      List<String> ids = new ArrayList<>();
      for (RevCommit c : walk) {
        if (ids.size() >= max) {
          break;
        }
        ids.add(c.getName());
      }
      return ids;
    }
  }

  /** Writes the bundled history as a real git repository, so jobs read it the same way. */
  static void createBundled(Path dir) throws IOException, GitAPIException {
    Path tmp =
        Files.createTempDirectory(
            dir.toAbsolutePath().getParent() == null
                ? Path.of(".")
                : Files.createDirectories(dir.toAbsolutePath().getParent()),
            "demo-repo-");
    Instant when = Instant.parse("2024-03-01T09:00:00Z");
    try (Git git = Git.init().setDirectory(tmp.toFile()).setInitialBranch("main").call()) {
      for (Commit c : readHistory()) {
        for (var f : c.files().entrySet()) {
          Path file = tmp.resolve(f.getKey());
          Files.createDirectories(file.getParent());
          Files.writeString(file, f.getValue());
        }
        git.add().addFilepattern(".").call();
        PersonIdent who =
            new PersonIdent(
                c.name(), c.email(), java.util.Date.from(when), TimeZone.getTimeZone("UTC"));
        git.commit().setMessage(c.message()).setAuthor(who).setCommitter(who).setSign(false).call();
        when = when.plusSeconds(86_400);
      }
    }
    Files.move(tmp, dir); // appears whole or not at all
  }

  private record Commit(String name, String email, String message, Map<String, String> files) {}

  private static List<Commit> readHistory() throws IOException {
    List<Commit> commits = new ArrayList<>();
    try (InputStream in = DemoRepository.class.getResourceAsStream("history.txt");
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      Commit current = null;
      String path = null;
      StringBuilder content = new StringBuilder();
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (line.startsWith("#") && current == null) {
          continue;
        }
        if (line.startsWith("=== ") || line.startsWith("--- ")) {
          if (path != null) {
            Objects.requireNonNull(current).files().put(path, content.toString());
            path = null;
          }
          content.setLength(0);
        }
        if (line.startsWith("=== ")) {
          String[] parts = line.substring(4).split("\\|", 2);
          String author = parts[0].trim();
          int lt = author.indexOf('<');
          current =
              new Commit(
                  author.substring(0, lt).trim(),
                  author.substring(lt + 1, author.indexOf('>')),
                  parts[1].trim(),
                  new LinkedHashMap<>());
          commits.add(current);
        } else if (line.startsWith("--- ")) {
          if (current == null) {
            throw new IOException("history.txt: a file before any commit: " + line);
          }
          path = line.substring(4).trim();
        } else if (path != null) {
          content.append(line).append('\n');
        }
      }
      if (path != null) {
        Objects.requireNonNull(current).files().put(path, content.toString());
      }
    }
    return commits;
  }
}
