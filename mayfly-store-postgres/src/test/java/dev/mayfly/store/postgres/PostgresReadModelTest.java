package dev.mayfly.store.postgres;

import dev.mayfly.store.ReadModelContract;
import dev.mayfly.store.TestStores;

class PostgresReadModelTest extends ReadModelContract {
  @Override
  protected TestStores stores() {
    return PostgresTestStores.pooled();
  }
}
