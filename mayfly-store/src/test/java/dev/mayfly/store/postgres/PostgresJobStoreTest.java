package dev.mayfly.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.mayfly.store.JobStore;
import dev.mayfly.store.JobStoreContract;
import dev.mayfly.store.StoreException;
import dev.mayfly.store.connect.JobStores;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PostgresJobStoreTest extends JobStoreContract {
  private String url;

  @Override
  protected JobStore openFresh() {
    url = TestDatabase.freshSchemaUrl();
    return JobStores.open(url);
  }

  @Override
  protected JobStore openAnother() {
    return JobStores.open(url, 2);
  }

  @AfterEach
  void dropSchema() {
    closeStores();
    TestDatabase.dropSchema(url);
  }

  @Test
  void herokuStyleUrlsAreUnderstood() {
    PostgresUrl u =
        PostgresUrl.parse("postgres://alice:s%40cret@db.example.com:6543/app?sslmode=require");
    assertThat(u.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example.com:6543/app?sslmode=require");
    assertThat(u.user()).isEqualTo("alice");
    assertThat(u.password()).isEqualTo("s@cret");
    assertThat(u.toString()).doesNotContain("cret");
    assertThat(PostgresUrl.parse("jdbc:postgresql://h/db?user=bob&password=x").user())
        .isEqualTo("bob");
    assertThat(JobStores.redact("jdbc:postgresql://h/db?user=bob&password=x")).doesNotContain("=x");
  }

  @Test
  void anUnreachableServerIsReportedWithWhatToCheck() {
    assertThatThrownBy(() -> JobStores.open("postgres://nobody:secret@127.0.0.1:1/none"))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining(
            "cannot connect to PostgreSQL at postgresql://nobody@127.0.0.1:1/none")
        .hasMessageContaining("Check that the server runs")
        .hasMessageNotContaining("secret");
  }

  @Test
  void aSchemaNewerThanTheCodeIsRefused() {
    TestDatabase.execute(
        "INSERT INTO "
            + schema()
            + ".mayfly_schema (version, script, applied_at) VALUES (99, 'x', 0)");
    assertThatThrownBy(() -> JobStores.open(url))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("schema version 99");
  }

  @Test
  void nodesStartingTogetherMigrateOnce() throws Exception {
    String fresh = TestDatabase.freshSchemaUrl();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<JobStore>> opened = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        opened.add(pool.submit(() -> JobStores.open(fresh, 2)));
      }
      for (Future<JobStore> f : opened) {
        track(f.get());
      }
      assertThat(opened).hasSize(4);
    } finally {
      pool.shutdown();
      closeStores();
      TestDatabase.dropSchema(fresh);
    }
  }

  @Test
  void enqueueIsAnnouncedToListenersInOtherProcesses() throws Exception {
    List<String> heard = new CopyOnWriteArrayList<>();
    try (AutoCloseable listening = track(openAnother()).listen(heard::add)) {
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> {
                store.enqueue(job("mail"));
                return heard.contains("mail");
              });
    }
  }

  private String schema() {
    return url.substring(url.indexOf("currentSchema=") + "currentSchema=".length());
  }
}
