package dev.mayfly.store.sqlite;

import dev.mayfly.store.IntakeContract;
import dev.mayfly.store.TestStores;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqliteIntakeTest extends IntakeContract {
  @TempDir Path dir;

  @Override
  protected TestStores stores() {
    return SqliteTestStores.in(dir);
  }
}
