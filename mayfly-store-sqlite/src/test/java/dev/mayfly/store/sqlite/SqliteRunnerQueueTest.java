package dev.mayfly.store.sqlite;

import dev.mayfly.store.RunnerQueueContract;
import dev.mayfly.store.TestStores;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqliteRunnerQueueTest extends RunnerQueueContract {
  @TempDir Path dir;

  @Override
  protected TestStores stores() {
    return SqliteTestStores.in(dir);
  }
}
