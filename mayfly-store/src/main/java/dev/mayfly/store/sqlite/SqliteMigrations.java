package dev.mayfly.store.sqlite;

import dev.mayfly.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Versioned schema changes, applied in order inside the caller's immediate transaction, so when
 * several processes open a new database at once exactly one of them migrates it.
 */
final class SqliteMigrations {
  /** Scripts in order; version N is the N-th entry. Never edit a released one: add the next. */
  private static final List<String> SCRIPTS = List.of("V1__jobs_runners.sql");

  private SqliteMigrations() {}

  /** True if the schema is exactly this code's version; a read, no lock taken. */
  static boolean isCurrent(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'mayfly_schema'")) {
      rs.next();
      if (rs.getInt(1) == 0) {
        return false;
      }
    }
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT COALESCE(max(version), 0) FROM mayfly_schema")) {
      rs.next();
      return rs.getInt(1) == SCRIPTS.size();
    }
  }

  static int migrate(Connection c, Path file) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(
          "CREATE TABLE IF NOT EXISTS mayfly_schema (version INTEGER PRIMARY KEY,"
              + " script TEXT NOT NULL, applied_at INTEGER NOT NULL)");
      int current;
      try (ResultSet rs = st.executeQuery("SELECT COALESCE(max(version), 0) FROM mayfly_schema")) {
        rs.next();
        current = rs.getInt(1);
      }
      if (current > SCRIPTS.size()) {
        throw new StoreException(
            "the database "
                + file
                + " has schema version "
                + current
                + " but this Mayfly knows only up to "
                + SCRIPTS.size()
                + "; upgrade Mayfly on this node (or point it at another database)");
      }
      for (int v = current + 1; v <= SCRIPTS.size(); v++) {
        String script = SCRIPTS.get(v - 1);
        for (String sql : load(script).split(";\\s*\\n")) {
          String stripped = sql.replaceAll("(?m)^\\s*--.*$", "").strip();
          if (!stripped.isEmpty()) {
            st.execute(stripped);
          }
        }
        st.execute(
            "INSERT INTO mayfly_schema (version, script, applied_at) VALUES ("
                + v
                + ", '"
                + script
                + "', "
                + System.currentTimeMillis()
                + ")");
      }
      return SCRIPTS.size();
    }
  }

  private static String load(String script) {
    try (InputStream in = SqliteMigrations.class.getResourceAsStream(script)) {
      if (in == null) {
        throw new IllegalStateException("migration " + script + " missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read migration " + script, e);
    }
  }
}
