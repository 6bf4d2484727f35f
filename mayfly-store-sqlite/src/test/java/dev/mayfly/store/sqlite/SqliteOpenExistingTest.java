package dev.mayfly.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mayfly.api.JobFilter;
import dev.mayfly.store.JobStore;
import dev.mayfly.store.NoStoreException;
import dev.mayfly.store.connect.JobStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteOpenExistingTest {
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
      assertThat(store.reads().jobs(JobFilter.all(), Instant.now())).isEmpty();
    }
  }
}
