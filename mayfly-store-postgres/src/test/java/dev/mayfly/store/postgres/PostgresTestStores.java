package dev.mayfly.store.postgres;

import dev.mayfly.store.JobStore;
import dev.mayfly.store.TestStores;
import dev.mayfly.store.connect.JobStores;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * A schema of the test PostgreSQL's ({@link TestDatabase}) per test, opened as an app node opens it
 * (a pool) or as a runner does (two plain connections, named so a test can find them).
 */
final class PostgresTestStores implements TestStores {
  private final boolean forRunners;
  private final String application =
      "mayfly-runner-test-" + Long.toHexString(System.identityHashCode(this));
  private String url = "";

  private PostgresTestStores(boolean forRunners) {
    this.forRunners = forRunners;
  }

  static PostgresTestStores pooled() {
    return new PostgresTestStores(false);
  }

  static PostgresTestStores forRunners() {
    return new PostgresTestStores(true);
  }

  @Override
  public JobStore openFresh() {
    url = TestDatabase.freshSchemaUrl();
    if (forRunners) {
      url = url.replace("currentSchema=", "ApplicationName=" + application + "&currentSchema=");
      return JobStores.openForRunner(url);
    }
    return JobStores.open(url);
  }

  @Override
  public JobStore openAnother() {
    return forRunners ? JobStores.openForRunner(url) : JobStores.open(url, 2);
  }

  @Override
  public Connection connect() throws SQLException {
    return DriverManager.getConnection(url);
  }

  @Override
  public void drop() {
    TestDatabase.dropSchema(url);
  }

  String url() {
    return url;
  }

  /** The application name of a runner store's connections. */
  String application() {
    return application;
  }
}
