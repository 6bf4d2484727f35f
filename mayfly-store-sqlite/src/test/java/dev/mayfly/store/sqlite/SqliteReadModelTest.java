package dev.mayfly.store.sqlite;

import dev.mayfly.store.ReadModelContract;
import dev.mayfly.store.TestStores;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqliteReadModelTest extends ReadModelContract {
  @TempDir Path dir;

  @Override
  protected TestStores stores() {
    return SqliteTestStores.in(dir);
  }
}
