package dev.mayfly.store.sqlite;

import dev.mayfly.store.JobStore;
import dev.mayfly.store.TestStores;
import dev.mayfly.store.connect.JobStores;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** A SQLite file in a folder of the test's, opened as an app and its runners open it. */
record SqliteTestStores(Path file) implements TestStores {
  static SqliteTestStores in(Path dir) {
    return new SqliteTestStores(dir.resolve("sub/dir/mayfly.db"));
  }

  @Override
  public JobStore openFresh() {
    return JobStores.open("jdbc:sqlite:" + file);
  }

  @Override
  public JobStore openAnother() {
    return JobStores.open(file.toString());
  }

  @Override
  public Connection connect() throws SQLException {
    return DriverManager.getConnection("jdbc:sqlite:" + file);
  }
}
