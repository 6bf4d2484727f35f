package dev.mayfly.store.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mayfly.api.JobFilter;
import dev.mayfly.store.JobStore;
import dev.mayfly.store.NoStoreException;
import dev.mayfly.store.postgres.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenExistingTest {
  @TempDir Path dir;

  @Test
  void aMissingSqliteFileIsReportedAndNotCreated() {
    Path file = dir.resolve("typo/mayfly.db");
    assertThatThrownBy(() -> JobStores.openExisting(file.toString()))
        .isInstanceOf(NoStoreException.class)
        .hasMessage("no Mayfly store at " + file + " (no such file)");
    assertThat(file.getParent()).doesNotExist();
  }

  @Test
  void aSqliteFileWithoutMayflysTablesIsReportedAndLeftAsItIs() throws Exception {
    Path file = Files.createFile(dir.resolve("other.db"));
    assertThatThrownBy(() -> JobStores.openExisting(file.toString()))
        .isInstanceOf(NoStoreException.class)
        .hasMessageContaining("(the file holds no Mayfly tables)");
    assertThat(file).isEmptyFile();
  }

  @Test
  void anExistingSqliteStoreOpens() {
    String url = dir.resolve("mayfly.db").toString();
    JobStores.open(url).close();
    try (JobStore store = JobStores.openExisting(url)) {
      assertThat(store.jobs(JobFilter.all(), Instant.now())).isEmpty();
    }
  }

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
        assertThat(store.jobs(JobFilter.all(), Instant.now())).isEmpty();
      }
    } finally {
      TestDatabase.dropSchema(url);
    }
  }
}
