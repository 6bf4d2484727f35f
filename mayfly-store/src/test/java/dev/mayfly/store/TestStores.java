package dev.mayfly.store;

import java.sql.Connection;
import java.sql.SQLException;

/** Where a contract suite gets its stores: one database, empty at first, per test. */
public interface TestStores {
  /** A new, empty store. */
  JobStore openFresh() throws Exception;

  /** Another handle on the database of the last {@link #openFresh()}, as another process has. */
  JobStore openAnother() throws Exception;

  /** A plain JDBC connection to the store's database, as an app's own pool would give. */
  Connection connect() throws SQLException;

  /** Removes the database, once the test has closed every handle. */
  default void drop() {}
}
