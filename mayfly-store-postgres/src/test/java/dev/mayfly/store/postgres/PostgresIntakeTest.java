package dev.mayfly.store.postgres;

import dev.mayfly.store.IntakeContract;
import dev.mayfly.store.TestStores;

class PostgresIntakeTest extends IntakeContract {
  @Override
  protected TestStores stores() {
    return PostgresTestStores.pooled();
  }
}
