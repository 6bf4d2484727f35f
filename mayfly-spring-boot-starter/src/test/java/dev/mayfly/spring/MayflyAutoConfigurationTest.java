package dev.mayfly.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mayfly.Mayfly;
import dev.mayfly.MayflyConfig;
import dev.mayfly.api.JobState;
import dev.mayfly.api.LogLine;
import dev.mayfly.spring.sample.GreetJob;
import dev.mayfly.spring.sample.Greeter;
import dev.mayfly.store.postgres.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.support.SpringFactoriesLoader;

/** The starter in real application contexts, on SQLite files and a real PostgreSQL. */
class MayflyAutoConfigurationTest {
  @TempDir Path dir;

  @Configuration(proxyBeanMethods = false)
  static class Jobs {
    @Bean
    Greeter greeter() {
      return new Greeter("Hi", "");
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
              awaitNoRunnerAlive(mayfly);
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
                awaitNoRunnerAlive(mayfly); // before the schema is dropped under it
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

  @Test
  void metersGoToTheAppsRegistryAndHealthSaysWhetherTheStoreAnswers() {
    app()
        .withConfiguration(
            AutoConfigurations.of(
                MetricsAutoConfiguration.class,
                CompositeMeterRegistryAutoConfiguration.class,
                SimpleMetricsExportAutoConfiguration.class))
        .withPropertyValues("mayfly.dispatcher.enabled=false")
        .run(
            context -> {
              Mayfly mayfly = context.getBean(Mayfly.class);
              mayfly.enqueue(GreetJob.class, new GreetJob.Args("Barbara"));
              MeterRegistry registry = context.getBean(MeterRegistry.class);
              var metrics = context.getBean(dev.mayfly.dashboard.MayflyMetrics.class);
              await()
                  .atMost(Duration.ofSeconds(30))
                  .ignoreExceptions() // no such meter yet
                  .untilAsserted(
                      () -> {
                        metrics.refresh(); // as a scrape does; it reads the store every 5 s
                        assertThat(
                                registry
                                    .get("mayfly.jobs")
                                    .tag("queue", "default")
                                    .tag("state", "queued")
                                    .gauge()
                                    .value())
                            .isEqualTo(1.0);
                      });

              HealthIndicator health =
                  context.getBean("mayflyHealthIndicator", HealthIndicator.class);
              Health up = health.health(true);
              assertThat(up.getStatus()).isEqualTo(Status.UP);
              assertThat(up.getDetails()).containsKey("queue default");
              mayfly.close(); // the store is gone
              assertThat(health.health(true).getStatus()).isEqualTo(Status.DOWN);
            });
  }

  /** Spring Boot's start-up report says what is wrong and what to do, not a chain of beans. */
  @Test
  void aWrongSettingIsReportedAsSuchWhenTheAppFailsToStart() {
    app()
        .withPropertyValues("mayfly.defaults.time-to-live=forever")
        .run(
            context -> {
              Throwable failure = context.getStartupFailure();
              FailureAnalysis analysis =
                  SpringFactoriesLoader.forDefaultResourceLocation()
                      // as registered in spring.factories; analyzers that need Spring's
                      // collaborators to be made are left out
                      .load(FailureAnalyzer.class, null, (type, name, cannotMake) -> {})
                      .stream()
                      .map(a -> a.analyze(failure))
                      .filter(java.util.Objects::nonNull)
                      .findFirst()
                      .orElseThrow();
              assertThat(analysis.getDescription())
                  .startsWith("Mayfly cannot start: Spring property mayfly.*:")
                  .contains("defaults.time-to-live", "forever");
              assertThat(analysis.getAction()).contains("mayfly.properties");
            });
  }

  /** IDEs complete what the metadata names: every queue setting Mayfly accepts, and no other. */
  @Test
  void theConfigurationMetadataNamesEveryQueueSetting() throws Exception {
    List<String> documented = new ArrayList<>();
    try (var in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      new ObjectMapper()
          .readTree(in)
          .get("properties")
          .forEach(
              p -> {
                String name = p.get("name").asText();
                if (name.startsWith("mayfly.defaults.")) {
                  documented.add(name.substring("mayfly.defaults.".length()));
                }
              });
    }
    AtomicReference<String> refusal = new AtomicReference<>();
    app()
        .withPropertyValues("mayfly.defaults.nonsense=1")
        .run(context -> refusal.set(rootMessage(context.getStartupFailure())));
    Matcher known = Pattern.compile("use one of \\[(.*)]").matcher(refusal.get());
    assertThat(known.find()).as(refusal.get()).isTrue();
    assertThat(documented).containsExactlyInAnyOrder(known.group(1).split(", "));
  }

  private static String rootMessage(Throwable t) {
    Throwable e = t;
    while (e.getCause() != null) {
      e = e.getCause();
    }
    return String.valueOf(e.getMessage());
  }

  /** In-process runners outlive the context that launched them, to their natural end. */
  static void awaitNoRunnerAlive(Mayfly mayfly) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> mayfly.admin().runners(dev.mayfly.api.RunnerFilter.all().alive(true)).isEmpty());
  }

  static JobState state(Mayfly mayfly, long id) {
    return mayfly.admin().job(id).orElseThrow().state();
  }
}
