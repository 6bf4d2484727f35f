package dev.mayfly.store.postgres;

import dev.mayfly.store.FleetContract;
import dev.mayfly.store.TestStores;

class PostgresFleetTest extends FleetContract {
  @Override
  protected TestStores stores() {
    return PostgresTestStores.pooled();
  }
}
