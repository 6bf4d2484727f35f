package dev.mayfly.store.jdbc;

import dev.mayfly.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Versioned schema changes: scripts {@code V1__*.sql}, {@code V2__*.sql}... next to the database's
 * class, applied in order inside one transaction of the caller, who holds a lock that makes
 * concurrent migrations from several processes or nodes wait for each other. Never edit a released
 * script: add the next one.
 */
public final class Migrations {
  private final Function<String, @Nullable InputStream> open;
  private final List<String> scripts;
  private final String schemaTableExists;

  /**
   * @param open opens a script by its name: {@code Class::getResourceAsStream} of a class in the
   *     scripts' package, called from the database's own module, which may read its resources
   * @param scripts the script names in order; version N is the N-th
   * @param schemaTableExists a query giving one row with a boolean: whether {@code mayfly_schema}
   *     exists where an unqualified {@code CREATE TABLE} would put it. Every runner asks it on
   *     start, on a connection that has run nothing yet, so it is a light catalog read rather than
   *     JDBC's {@code getTables}, which on PostgreSQL is a heavy query and another round trip for
   *     the schema's name
   */
  public Migrations(
      Function<String, @Nullable InputStream> open,
      List<String> scripts,
      String schemaTableExists) {
    this.open = open;
    this.scripts = List.copyOf(scripts);
    this.schemaTableExists = schemaTableExists;
  }

  public int latest() {
    return scripts.size();
  }

  /** The schema version in the database, 0 if Mayfly never ran there; a read, no lock taken. */
  public int current(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      try (ResultSet rs = st.executeQuery(schemaTableExists)) {
        if (!rs.next() || !rs.getBoolean(1)) {
          return 0;
        }
      }
      try (ResultSet rs = st.executeQuery("SELECT COALESCE(max(version), 0) FROM mayfly_schema")) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  /**
   * Brings the schema to {@link #latest()}; the caller runs this in a transaction holding its
   * migration lock.
   *
   * @param where names the database in errors
   * @param now when: what {@code mayfly_schema.applied_at} records for the scripts applied
   */
  public int migrate(Connection c, String where, Instant now) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(
          "CREATE TABLE IF NOT EXISTS mayfly_schema (version INTEGER PRIMARY KEY,"
              + " script TEXT NOT NULL, applied_at BIGINT NOT NULL)");
      int current = current(c);
      if (current > latest()) {
        throw new StoreException(
            "the database "
                + where
                + " has schema version "
                + current
                + " but this Mayfly knows only up to "
                + latest()
                + "; upgrade Mayfly on this node (or point it at another database)");
      }
      for (int v = current + 1; v <= latest(); v++) {
        String script = scripts.get(v - 1);
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
                + now.toEpochMilli()
                + ")");
      }
      return latest();
    }
  }

  private String load(String script) {
    try (InputStream in = open.apply(script)) {
      if (in == null) {
        throw new IllegalStateException("migration " + script + " missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read migration " + script, e);
    }
  }
}
