package dev.mayfly.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mayfly.store.JobStore;
import dev.mayfly.store.JobStoreContract;
import dev.mayfly.store.StoreException;
import dev.mayfly.store.connect.JobStores;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The store a runner opens: the whole contract again, on two plain connections and no pool. */
class PostgresRunnerStoreTest extends JobStoreContract {
  private String url;

  @Override
  protected JobStore openFresh() {
    url =
        TestDatabase.freshSchemaUrl()
            .replace("currentSchema=", "ApplicationName=" + application() + "&currentSchema=");
    return JobStores.openForRunner(url);
  }

  @Override
  protected JobStore openAnother() {
    return JobStores.openForRunner(url);
  }

  @Override
  protected java.sql.Connection connect() throws java.sql.SQLException {
    return java.sql.DriverManager.getConnection(url);
  }

  private String application() {
    return "mayfly-runner-test-" + Long.toHexString(System.identityHashCode(this));
  }

  @AfterEach
  void dropSchema() {
    closeStores();
    TestDatabase.dropSchema(url);
  }

  @Test
  void aConnectionTheServerEndedIsReplacedAndTheStatementRetried() {
    long id = store.enqueue(job("default"));
    TestDatabase.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '"
            + application()
            + "'");
    assertThat(store.claim("default", "r", t0, Duration.ofMinutes(10), t0.plusSeconds(30)))
        .hasValueSatisfying(j -> assertThat(j.id()).isEqualTo(id));
  }

  @Test
  void anUnreachableServerIsReportedWithWhatToCheck() {
    assertThatThrownBy(() -> JobStores.openForRunner("postgres://nobody:secret@127.0.0.1:1/none"))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining(
            "cannot connect to PostgreSQL at postgresql://nobody@127.0.0.1:1/none")
        .hasMessageContaining("Check that the server runs")
        .hasMessageNotContaining("secret");
  }
}
