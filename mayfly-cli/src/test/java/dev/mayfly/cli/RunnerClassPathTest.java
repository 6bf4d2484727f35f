package dev.mayfly.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mayfly.bench.FleetBench;
import dev.mayfly.bench.Noop;
import dev.mayfly.cli.demo.AnalyseCommit;
import dev.mayfly.cli.examples.FailJob;
import dev.mayfly.cli.examples.SleepJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Runners started by {@code ./mayfly} get {@code target/lib} only, not the CLI's own jars in {@code
 * target/cli-lib} (see mayfly-cli/pom.xml): every job type the CLI enqueues must come from a module
 * that stays in lib, or its runners cannot load it and exit before reporting in.
 */
class RunnerClassPathTest {
  @Test
  void everyJobTypeTheCliEnqueuesIsOnTheRunnersClassPath() throws Exception {
    String pom = Files.readString(Path.of("pom.xml"));
    Matcher m = Pattern.compile("<cli.only.artifacts>([^<]*)</cli.only.artifacts>").matcher(pom);
    assertThat(m.find()).as("mayfly-cli/pom.xml names cli.only.artifacts").isTrue();
    List<String> cliOnly = Arrays.stream(m.group(1).split(",")).map(String::trim).toList();
    for (Class<?> job :
        List.of(
            AnalyseCommit.class,
            SleepJob.class,
            FailJob.class,
            Noop.class,
            FleetBench.Sleep.class)) {
      String from = job.getProtectionDomain().getCodeSource().getLocation().getPath();
      assertThat(cliOnly)
          .as("%s comes from %s", job.getName(), from)
          .noneMatch(
              artifact ->
                  from.contains("/" + artifact + "/") || from.contains("/" + artifact + "-"));
    }
  }
}
