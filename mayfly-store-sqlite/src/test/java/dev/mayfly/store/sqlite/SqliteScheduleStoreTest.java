package dev.mayfly.store.sqlite;

import dev.mayfly.store.ScheduleStoreContract;
import dev.mayfly.store.TestStores;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqliteScheduleStoreTest extends ScheduleStoreContract {
  @TempDir Path dir;

  @Override
  protected TestStores stores() {
    return SqliteTestStores.in(dir);
  }
}
