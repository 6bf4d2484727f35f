package dev.mayfly.store.postgres;

import dev.mayfly.store.RunnerQueueContract;
import dev.mayfly.store.TestStores;

class PostgresRunnerQueueTest extends RunnerQueueContract {
  @Override
  protected TestStores stores() {
    return PostgresTestStores.pooled();
  }
}
