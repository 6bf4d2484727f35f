package dev.mayfly.store.postgres;

import dev.mayfly.store.ScheduleStoreContract;
import dev.mayfly.store.TestStores;

class PostgresScheduleStoreTest extends ScheduleStoreContract {
  @Override
  protected TestStores stores() {
    return PostgresTestStores.pooled();
  }
}
