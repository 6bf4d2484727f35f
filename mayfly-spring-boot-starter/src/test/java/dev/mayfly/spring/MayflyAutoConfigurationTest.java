package dev.mayfly.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mayfly.Mayfly;
import dev.mayfly.MayflyConfig;
import dev.mayfly.api.JobState;
import dev.mayfly.api.LogLine;
import dev.mayfly.spring.sample.GreetJob;
import dev.mayfly.spring.sample.Greeter;
import dev.mayfly.store.postgres.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The starter in real application contexts, on SQLite files and a real PostgreSQL. */
class MayflyAutoConfigurationTest {
  @TempDir Path dir;

  @Configuration(proxyBeanMethods = false)
  static class Jobs {
    @Bean
    Greeter greeter() {
      return new Greeter("Hi");
    }

    @Bean
    GreetJob greetJob(Greeter greeter) {
      return new GreetJob(greeter);
    }
  }

  private ApplicationContextRunner app() {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(MayflyAutoConfiguration.class))
        .withUserConfiguration(Jobs.class)
        .withPropertyValues("mayfly.database=" + dir.resolve("m.db"));
  }

  @Test
  void jobBeansAreTheJobTypesAndRunWithTheirDependencies() {
    app()
        .withPropertyValues("mayfly.defaults.launcher=inprocess", "mayfly.defaults.idle-exit=200ms")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              Mayfly mayfly = context.getBean(Mayfly.class);
              assertThat(mayfly.jobTypes()).containsExactly("greet");
              long id = mayfly.enqueue(GreetJob.class, new GreetJob.Args("Ada"));
              await()
                  .atMost(Duration.ofSeconds(30))
                  .until(() -> state(mayfly, id) == JobState.SUCCEEDED);
              assertThat(mayfly.admin().jobDetail(id).orElseThrow().log())
                  .extracting(LogLine::message)
                  .containsExactly("Hi, Ada (pid " + ProcessHandle.current().pid() + ")");
            });
  }

  @Test
  void settingsAreMayflyPropertiesBehindThePrefix() {
    app()
        .withPropertyValues(
            "mayfly.defaults.max-runners=3",
            "mayfly.queue.mail.max-runners=2",
            "mayfly.schedule.nightly.cron=0 3 * * *",
            "mayfly.schedule.nightly.type=greet",
            "mayfly.schedule.nightly.args={\"name\": \"night\"}",
            "mayfly.dispatcher.enabled=false")
        .run(
            context -> {
              MayflyConfig config = context.getBean(MayflyConfig.class);
              assertThat(config.defaults().maxRunners()).isEqualTo(3);
              assertThat(config.queues().get("mail").maxRunners()).isEqualTo(2);
              assertThat(config.schedules()).containsKey("nightly");
            });
  }

  @Test
  void aWrongSettingStopsTheAppNamingItAndWhatToWrite() {
    app()
        .withPropertyValues("mayfly.queue.mail.max-runners=lots")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .hasStackTraceContaining(
                        "Spring property mayfly.*: queue.mail.max-runners must be a whole number,"
                            + " was 'lots'"));
    app()
        .withPropertyValues("mayfly.queue.mail.max-runner=2")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .hasStackTraceContaining("unknown queue setting 'max-runner'"));
  }

  @Test
  void theAppsPostgresqlDataSourceIsTheStore() {
    String url = TestDatabase.freshSchemaUrl();
    try {
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  DataSourceAutoConfiguration.class, MayflyAutoConfiguration.class))
          .withUserConfiguration(Jobs.class)
          .withPropertyValues(
              "spring.datasource.url=" + url,
              "mayfly.defaults.launcher=inprocess",
              "mayfly.defaults.idle-exit=200ms")
          .run(
              context -> {
                assertThat(context).hasNotFailed();
                Mayfly mayfly = context.getBean(Mayfly.class);
                assertThat(mayfly.config().databaseUrl()).startsWith("jdbc:postgresql:");
                long id = mayfly.enqueue(GreetJob.class, new GreetJob.Args("Grace"));
                await()
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> state(mayfly, id) == JobState.SUCCEEDED);
              });
    } finally {
      TestDatabase.dropSchema(url);
    }
  }

  @Test
  void withoutItsDispatcherANodeOnlyEnqueues() {
    app()
        .withPropertyValues("mayfly.dispatcher.enabled=false", "mayfly.defaults.launcher=inprocess")
        .run(
            context -> {
              Mayfly mayfly = context.getBean(Mayfly.class);
              long id = mayfly.enqueue(GreetJob.class, new GreetJob.Args("Linus"));
              assertThat(state(mayfly, id)).isEqualTo(JobState.QUEUED);
              assertThat(mayfly.admin().runners(dev.mayfly.api.RunnerFilter.all())).isEmpty();
            });
  }

  static JobState state(Mayfly mayfly, long id) {
    return mayfly.admin().job(id).orElseThrow().state();
  }
}
