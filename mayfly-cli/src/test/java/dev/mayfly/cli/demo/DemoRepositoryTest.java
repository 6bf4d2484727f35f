package dev.mayfly.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mayfly.api.JobContext;
import dev.mayfly.api.JobLogger;
import dev.mayfly.api.Outcome;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoRepositoryTest {
  @TempDir Path dir;

  @Test
  void outsideACheckoutTheBundledHistoryIsWrittenAsARealRepository() throws Exception {
    DemoRepository.Picked p = DemoRepository.pick(null, dir, dir.resolve("demo-repo"), 100);
    assertThat(p.bundled()).isTrue();
    assertThat(p.commits()).hasSize(15);
    // a second pick reuses it
    assertThat(DemoRepository.pick(null, dir, dir.resolve("demo-repo"), 5).commits())
        .containsExactlyElementsOf(p.commits().subList(0, 5));
  }

  @Test
  void theAnalysisFindsMisspellingsInMessagesAndAddedLines() throws Exception {
    DemoRepository.Picked p = DemoRepository.pick(null, dir, dir.resolve("demo-repo"), 100);
    String first = p.commits().getLast(); // "Initial commit": README says "teh"
    List<String> warnings = new ArrayList<>();
    Outcome o =
        new AnalyseCommit()
            .perform(new AnalyseCommit.Args(p.repo().toString(), first), context(warnings));
    assertThat(o).isEqualTo(Outcome.success());
    assertThat(warnings).anyMatch(w -> w.contains("README.md: 'teh' should be 'the'"));

    String separate = p.commits().get(p.commits().size() - 2); // "Add a seperate worker"
    warnings.clear();
    new AnalyseCommit()
        .perform(new AnalyseCommit.Args(p.repo().toString(), separate), context(warnings));
    assertThat(warnings)
        .anyMatch(w -> w.contains("message: 'seperate' should be 'separate'"))
        .anyMatch(w -> w.contains("'recieve' should be 'receive'"));
  }

  @Test
  void anUnknownCommitIsDiscardedWithAReason() throws Exception {
    DemoRepository.Picked p = DemoRepository.pick(null, dir, dir.resolve("demo-repo"), 1);
    Outcome o =
        new AnalyseCommit()
            .perform(
                new AnalyseCommit.Args(p.repo().toString(), "0000000"), context(new ArrayList<>()));
    assertThat(o).isInstanceOf(Outcome.Discard.class);
  }

  private static JobContext context(List<String> warnings) {
    JobLogger log =
        new JobLogger() {
          @Override
          public void info(String message) {}

          @Override
          public void warn(String message) {
            warnings.add(message);
          }

          @Override
          public void error(String message) {}
        };
    return new JobContext() {
      @Override
      public long jobId() {
        return 1;
      }

      @Override
      public int attempt() {
        return 1;
      }

      @Override
      public String queue() {
        return "commits";
      }

      @Override
      public String runnerId() {
        return "r-test";
      }

      @Override
      public JobLogger log() {
        return log;
      }

      @Override
      public Instant deadline() {
        return Instant.MAX;
      }

      @Override
      public boolean isCancelled() {
        return false;
      }
    };
  }
}
