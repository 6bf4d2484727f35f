package dev.mayfly.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mayfly.Mayfly;
import dev.mayfly.api.JobState;
import dev.mayfly.api.RunnerFilter;
import dev.mayfly.spring.sample.GreetJob;
import dev.mayfly.store.postgres.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ContextConsumer;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A job enqueued inside a Spring transaction on the app's database exists only if that transaction
 * commits: invisible to every other connection until then, gone with a rollback. On a real
 * PostgreSQL and on a SQLite file.
 */
class TransactionalEnqueueTest {
  @TempDir Path dir;

  private static ApplicationContextRunner app(String databaseUrl) {
    return new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(
                DataSourceAutoConfiguration.class,
                DataSourceTransactionManagerAutoConfiguration.class,
                TransactionAutoConfiguration.class,
                MayflyAutoConfiguration.class))
        .withUserConfiguration(MayflyAutoConfigurationTest.Jobs.class)
        .withPropertyValues(
            "spring.datasource.url=" + databaseUrl,
            "mayfly.defaults.launcher=inprocess",
            "mayfly.defaults.idle-exit=200ms");
  }

  @Test
  void onPostgresql() {
    String url = TestDatabase.freshSchemaUrl();
    try {
      app(url).run(commitThenRollback());
    } finally {
      TestDatabase.dropSchema(url);
    }
  }

  @Test
  void onSqlite() {
    app("jdbc:sqlite:" + dir.resolve("app.db")).run(commitThenRollback());
  }

  private static ContextConsumer<AssertableApplicationContext> commitThenRollback() {
    return context -> {
      assertThat(context).hasNotFailed();
      Mayfly mayfly = context.getBean(Mayfly.class);
      TransactionTemplate tx = context.getBean(TransactionTemplate.class);
      JdbcTemplate sql = new JdbcTemplate(context.getBean(javax.sql.DataSource.class));
      sql.execute("CREATE TABLE signups (email VARCHAR(100))");

      // Committed: the job is invisible to Mayfly's own connections until the commit, then runs.
      AtomicLong kept = new AtomicLong();
      tx.executeWithoutResult(
          status -> {
            sql.update("INSERT INTO signups VALUES ('ada@example.com')");
            kept.set(mayfly.enqueue(GreetJob.class, new GreetJob.Args("Ada")));
            assertThat(mayfly.admin().job(kept.get())).as("before the commit").isEmpty();
          });
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  mayfly
                      .admin()
                      .job(kept.get())
                      .map(j -> j.state() == JobState.SUCCEEDED)
                      .orElse(false));

      // Rolled back: neither the app's row nor the job exists, and nothing ran for it.
      int runnersBefore = mayfly.admin().runners(RunnerFilter.all()).size();
      AtomicLong dropped = new AtomicLong();
      tx.executeWithoutResult(
          status -> {
            sql.update("INSERT INTO signups VALUES ('eve@example.com')");
            dropped.set(mayfly.enqueue(GreetJob.class, new GreetJob.Args("Eve")));
            status.setRollbackOnly();
          });
      assertThat(mayfly.admin().job(dropped.get())).isEmpty();
      assertThat(sql.queryForObject("SELECT count(*) FROM signups", Integer.class)).isEqualTo(1);
      assertThat(mayfly.admin().queues().getFirst().queued()).isZero();
      assertThat(mayfly.admin().runners(RunnerFilter.all())).hasSize(runnersBefore);

      // Outside a transaction an enqueue is stored at once, as always.
      long now = mayfly.enqueue(GreetJob.class, new GreetJob.Args("Grace"));
      assertThat(mayfly.admin().job(now)).isPresent();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  mayfly.admin().job(now).map(j -> j.state() == JobState.SUCCEEDED).orElse(false));
      MayflyAutoConfigurationTest.awaitNoRunnerAlive(mayfly); // before the schema is dropped
    };
  }
}
