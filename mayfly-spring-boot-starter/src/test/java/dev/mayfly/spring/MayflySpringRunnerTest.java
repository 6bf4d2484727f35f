package dev.mayfly.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mayfly.Mayfly;
import dev.mayfly.api.JobState;
import dev.mayfly.api.LogLine;
import dev.mayfly.api.RunnerFilter;
import dev.mayfly.api.RunnerInfo;
import dev.mayfly.spring.sample.GreetJob;
import dev.mayfly.spring.sample.SampleApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A booted app whose jobs run in one-off local processes: each runner process boots the app without
 * its dispatcher, and its jobs get the app's beans, configured from the app's own properties.
 */
class MayflySpringRunnerTest {
  private static final Path APP_DB = Path.of("target", "sample-app", "app.db");

  private static String outputs(Mayfly mayfly) {
    StringBuilder out = new StringBuilder();
    for (RunnerInfo r : mayfly.admin().runners(RunnerFilter.all())) {
      out.append("--- ").append(r.id()).append(' ').append(r.state()).append('\n');
      mayfly.admin().runnerOutput(r.id()).forEach(l -> out.append(l.message()).append('\n'));
    }
    return out.toString();
  }

  @Test
  void runnerProcessesBootTheAppAndItsJobsGetTheirBeans() throws Exception {
    // the app's database, named in its application.properties, which runner processes read too
    Files.createDirectories(APP_DB.getParent());
    Files.deleteIfExists(APP_DB);
    SpringApplication app = new SpringApplication(SampleApp.class);
    app.setWebApplicationType(WebApplicationType.NONE);
    app.setAdditionalProfiles("polite"); // given to this process only: runners must get it too
    try (ConfigurableApplicationContext context =
        app.run(
            "--mayfly.defaults.launcher=local",
            "--mayfly.defaults.max-runners=2",
            "--mayfly.defaults.idle-exit=500ms")) {
      Mayfly mayfly = context.getBean(Mayfly.class);
      assertThat(mayfly.config().databaseUrl())
          .as("the app's own database")
          .isEqualTo("jdbc:sqlite:" + APP_DB.toAbsolutePath());
      List<Long> ids =
          List.of("Ada", "Grace", "Linus").stream()
              .map(n -> mayfly.enqueue(GreetJob.class, new GreetJob.Args(n)))
              .toList();
      try {
        await()
            .atMost(Duration.ofMinutes(2))
            .until(
                () ->
                    ids.stream()
                        .allMatch(
                            id ->
                                mayfly.admin().job(id).orElseThrow().state()
                                    == JobState.SUCCEEDED));
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        throw new AssertionError(
            "the jobs did not run; the runners printed:\n" + outputs(mayfly), e);
      }
      long self = ProcessHandle.current().pid();
      for (long id : ids) {
        String line =
            mayfly.admin().jobDetail(id).orElseThrow().log().stream()
                .map(LogLine::message)
                .findFirst()
                .orElseThrow();
        assertThat(line)
            .as(
                "the job's bean in another process, configured from application.properties, the"
                    + " app's active profile and the runner profile")
            .startsWith("Good day from a bean, ")
            .contains(" in a runner (pid ")
            .doesNotContain("(pid " + self + ")");
      }
      // the process ended, and the launcher saw its exit code
      await()
          .atMost(Duration.ofMinutes(1))
          .until(
              () ->
                  mayfly.admin().runners(RunnerFilter.all()).stream()
                      .allMatch(r -> r.exitCode() != null));
      List<RunnerInfo> runners = mayfly.admin().runners(RunnerFilter.all());
      assertThat(runners)
          .allMatch(r -> r.launcher().equals("local") && r.exitCode() == 0, "exited 0");
      String output =
          String.join(
              "\n",
              mayfly.admin().runnerOutput(runners.getFirst().id()).stream()
                  .map(LogLine::message)
                  .toList());
      assertThat(output).doesNotContain("Tomcat", "dispatcher started");
    }
  }
}
