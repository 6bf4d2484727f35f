package dev.mayfly.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mayfly.api.JobFilter;
import dev.mayfly.store.JobStore;
import dev.mayfly.store.NoStoreException;
import dev.mayfly.store.connect.JobStores;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Opening a PostgreSQL store that must be there, as tools that only read do. */
class PostgresOpenExistingTest {
  @Test
  void aPostgresSchemaWithoutMayflysTablesIsReportedAndNotMigrated() throws Exception {
    String url = TestDatabase.freshSchemaUrl();
    try {
      assertThatThrownBy(() -> JobStores.openExisting(url))
          .isInstanceOf(NoStoreException.class)
          .hasMessageContaining("no Mayfly store at")
          .hasMessageContaining("has no mayfly_schema table");
      try (Connection c = DriverManager.getConnection(url);
          ResultSet rs =
              c.createStatement()
                  .executeQuery(
                      "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname ="
                          + " current_schema()")) {
        rs.next();
        assertThat(rs.getInt(1)).as("tables made").isZero();
      }
      JobStores.open(url).close();
      try (JobStore store = JobStores.openExisting(url)) {
        assertThat(store.reads().jobs(JobFilter.all(), Instant.now())).isEmpty();
      }
    } finally {
      TestDatabase.dropSchema(url);
    }
  }
}
