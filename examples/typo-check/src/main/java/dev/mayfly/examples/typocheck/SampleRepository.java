package dev.mayfly.examples.typocheck;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;
import tools.jackson.databind.json.JsonMapper;

/**
 * A git repository with commits whose misspellings are known, and the push webhook GitHub would
 * send for it: what the demo profile feeds the app, and what the end-to-end tests check against.
 */
public final class SampleRepository {
  private static final List<String> TYPOS =
      List.of("recieve", "seperate", "occured", "definately", "enviroment", "untill", "wierd");

  /** A commit made, and the misspelled words (as written) its analysis must find. */
  public record SampleCommit(String sha, String message, List<String> typos) {}

  private SampleRepository() {}

  /**
   * Makes {@code count} commits in a new repository at {@code dir}: most add a note with a
   * misspelling, every fifth is clean, some add code with a misspelled identifier part, and the
   * third fixes one word while adding another, so only added lines may count.
   */
  public static List<SampleCommit> create(Path dir, int count, Instant start) throws IOException {
    List<SampleCommit> made = new ArrayList<>();
    try (Git git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call()) {
      for (int i = 0; i < count; i++) {
        List<String> typos = new ArrayList<>();
        StringBuilder note = new StringBuilder("# Note " + i + "\n\n");
        if (i % 5 == 4) {
          note.append("Everything here is spelled well.\n");
        } else {
          String typo = TYPOS.get(i % TYPOS.size());
          note.append("We ").append(typo).append(" the data here.\n");
          typos.add(typo);
        }
        write(dir.resolve("notes/n" + i + ".md"), note.toString());
        if (i % 5 == 1) {
          write(
              dir.resolve("src/Limit" + i + ".java"), "class Limit" + i + " { int maxLenght; }\n");
          typos.add("Lenght");
        }
        if (i == 2) {
          // changes an earlier note: its old line's misspelling is not this commit's
          write(dir.resolve("notes/n0.md"), "# Note 0\n\nWe receive the data here. Teh end.\n");
          typos.add("Teh");
        }
        git.add().addFilepattern(".").call();
        String message = "Note " + i + (typos.isEmpty() ? "" : ", with a slip") + "\n\nbody";
        PersonIdent who =
            new PersonIdent(
                "Ada Lovelace", "ada@example.com", start.plusSeconds(i), ZoneOffset.UTC);
        String sha =
            git.commit()
                .setMessage(message)
                .setAuthor(who)
                .setCommitter(who)
                .setSign(false)
                .call()
                .getName();
        made.add(new SampleCommit(sha, message, List.copyOf(typos)));
      }
    } catch (GitAPIException e) {
      throw new IOException("could not make the sample repository at " + dir, e);
    }
    return made;
  }

  /** GitHub's push event for these commits (the fields the app reads, and a few more). */
  public static byte[] pushPayload(String fullName, String cloneUrl, List<SampleCommit> commits) {
    List<Map<String, Object>> list = new ArrayList<>();
    for (SampleCommit c : commits) {
      Map<String, Object> commit = new LinkedHashMap<>();
      commit.put("id", c.sha());
      commit.put("message", c.message());
      commit.put("url", "https://github.com/" + fullName + "/commit/" + c.sha());
      commit.put(
          "author", Map.of("name", "Ada Lovelace", "email", "ada@example.com", "username", "ada"));
      commit.put("distinct", true);
      list.add(commit);
    }
    Map<String, Object> push = new LinkedHashMap<>();
    push.put("ref", "refs/heads/main");
    push.put("before", "0000000000000000000000000000000000000000");
    push.put("after", commits.isEmpty() ? "" : commits.getLast().sha());
    push.put(
        "repository",
        Map.of(
            "full_name", fullName,
            "clone_url", cloneUrl,
            "html_url", "https://github.com/" + fullName));
    push.put("commits", list);
    return JsonMapper.builder().build().writeValueAsString(push).getBytes(StandardCharsets.UTF_8);
  }

  private static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }
}
