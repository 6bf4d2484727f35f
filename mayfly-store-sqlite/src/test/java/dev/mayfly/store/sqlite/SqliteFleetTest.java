package dev.mayfly.store.sqlite;

import dev.mayfly.store.FleetContract;
import dev.mayfly.store.TestStores;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqliteFleetTest extends FleetContract {
  @TempDir Path dir;

  @Override
  protected TestStores stores() {
    return SqliteTestStores.in(dir);
  }
}
