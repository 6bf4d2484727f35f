package dev.mayfly.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mayfly.store.JobStore;
import dev.mayfly.store.JobStoreContract;
import dev.mayfly.store.StoreException;
import dev.mayfly.store.connect.JobStores;
import java.nio.file.Path;
import java.sql.DriverManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteJobStoreTest extends JobStoreContract {
  @TempDir Path dir;
  private Path file;

  @Override
  protected JobStore openFresh() {
    file = dir.resolve("sub/dir/mayfly.db");
    return JobStores.open("jdbc:sqlite:" + file);
  }

  @Override
  protected JobStore openAnother() {
    return JobStores.open(file.toString());
  }

  @Override
  protected java.sql.Connection connect() throws java.sql.SQLException {
    return java.sql.DriverManager.getConnection("jdbc:sqlite:" + file);
  }

  @Test
  void aFileReachedThroughALinkIsTheSameDatabase() throws Exception {
    Path real = java.nio.file.Files.createDirectories(dir.resolve("real"));
    Path link = java.nio.file.Files.createSymbolicLink(dir.resolve("link"), real);
    java.nio.file.Files.createFile(real.resolve("m.db"));
    assertThat(
            JobStores.sameDatabase(
                real.resolve("m.db").toString(), "jdbc:sqlite:" + link.resolve("m.db")))
        .isTrue();
    assertThat(JobStores.sameDatabase(real.resolve("m.db").toString(), "sqlite:" + link + "/x.db"))
        .isFalse();
  }

  @Test
  void databaseIsInWalModeSoRunnersCanReadWhileOthersWrite() throws Exception {
    try (var c = DriverManager.getConnection("jdbc:sqlite:" + file);
        var rs = c.createStatement().executeQuery("PRAGMA journal_mode")) {
      rs.next();
      assertThat(rs.getString(1)).isEqualToIgnoringCase("wal");
    }
  }

  @Test
  void aSchemaNewerThanTheCodeIsRefusedWithAClearError() throws Exception {
    try (var c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
      c.createStatement()
          .execute("INSERT INTO mayfly_schema (version, script, applied_at) VALUES (99, 'x', 0)");
    }
    assertThatThrownBy(() -> JobStores.open(file.toString()))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("schema version 99")
        .hasMessageContaining("upgrade Mayfly");
  }

  @Test
  void reopeningDoesNotMigrateTwice() {
    track(JobStores.open(file.toString()));
    store.enqueue(job("default"));
    assertThat(store.counts(t0)).hasSize(1);
  }

  @Test
  void urlsAreNormalisedToAbsoluteFilesAndBadOnesExplained() {
    assertThat(JobStores.normalize("sqlite:x.db")).startsWith("jdbc:sqlite:/").endsWith("/x.db");
    assertThat(JobStores.normalize(null)).endsWith(".mayfly/mayfly.db");
    assertThatThrownBy(() -> JobStores.normalize("mysql://u:secret@h/db"))
        .hasMessageContaining("unrecognised database URL")
        .hasMessageNotContaining("secret");
    assertThatThrownBy(() -> JobStores.normalize("jdbc:sqlite::memory:"))
        .hasMessageContaining("file path");
  }
}
