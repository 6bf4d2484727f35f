package dev.mayfly.store.postgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The PostgreSQL the tests use: {@code MAYFLY_TEST_PG}, else the local server. Every store gets a
 * schema of its own, so tests and parallel runs never see each other's rows.
 */
public final class TestDatabase {
  public static final String BASE =
      System.getenv()
          .getOrDefault("MAYFLY_TEST_PG", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");

  private TestDatabase() {}

  /** Creates an empty schema and returns a URL whose connections use it. */
  public static String freshSchemaUrl() {
    String schema = "mayfly_t_" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
    execute("CREATE SCHEMA " + schema);
    return BASE + (BASE.contains("?") ? "&" : "?") + "currentSchema=" + schema;
  }

  /** The schema a {@link #freshSchemaUrl()} URL names. */
  public static String schemaOf(String url) {
    return url.substring(url.indexOf("currentSchema=") + "currentSchema=".length());
  }

  public static void dropSchema(String url) {
    execute("DROP SCHEMA IF EXISTS " + schemaOf(url) + " CASCADE");
  }

  public static void execute(String sql) {
    try (Connection c = DriverManager.getConnection(BASE);
        Statement st = c.createStatement()) {
      st.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "test PostgreSQL at " + BASE + " failed: " + e.getMessage() + " (" + sql + ")", e);
    }
  }
}
