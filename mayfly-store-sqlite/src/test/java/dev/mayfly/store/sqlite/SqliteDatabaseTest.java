package dev.mayfly.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mayfly.store.StoreContract;
import dev.mayfly.store.StoreException;
import dev.mayfly.store.TestStores;
import dev.mayfly.store.connect.JobStores;
import java.nio.file.Path;
import java.sql.DriverManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What only the SQLite store does: one file, in WAL mode, migrated once. */
class SqliteDatabaseTest extends StoreContract {
  @TempDir Path dir;
  private SqliteTestStores sqlite;

  @Override
  protected TestStores stores() {
    sqlite = SqliteTestStores.in(dir);
    return sqlite;
  }

  @Test
  void databaseIsInWalModeSoRunnersCanReadWhileOthersWrite() throws Exception {
    try (var c = DriverManager.getConnection("jdbc:sqlite:" + sqlite.file());
        var rs = c.createStatement().executeQuery("PRAGMA journal_mode")) {
      rs.next();
      assertThat(rs.getString(1)).isEqualToIgnoringCase("wal");
    }
  }

  @Test
  void aSchemaNewerThanTheCodeIsRefusedWithAClearError() throws Exception {
    try (var c = DriverManager.getConnection("jdbc:sqlite:" + sqlite.file())) {
      c.createStatement()
          .execute("INSERT INTO mayfly_schema (version, script, applied_at) VALUES (99, 'x', 0)");
    }
    assertThatThrownBy(() -> JobStores.open(sqlite.file().toString()))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("schema version 99")
        .hasMessageContaining("upgrade Mayfly");
  }

  @Test
  void reopeningDoesNotMigrateTwice() {
    track(JobStores.open(sqlite.file().toString()));
    intake.enqueue(job("default"));
    assertThat(reads.counts(t0)).hasSize(1);
  }
}
