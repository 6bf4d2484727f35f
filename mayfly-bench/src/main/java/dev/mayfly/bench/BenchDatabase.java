package dev.mayfly.bench;

import dev.mayfly.protocol.DatabaseUrl;
import dev.mayfly.protocol.PostgresUrl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * A scratch place for one run inside the database the user named: a new schema on PostgreSQL, a new
 * file beside the given one on SQLite. Dropped afterwards; the user's own data is not touched.
 */
final class BenchDatabase implements AutoCloseable {
  final String url;
  final boolean postgres;

  /** The scratch schema on PostgreSQL, else null. */
  final @Nullable String schema;

  private final @Nullable PostgresUrl pg;
  private final @Nullable Path file;

  private BenchDatabase(
      String url,
      boolean postgres,
      @Nullable String schema,
      @Nullable PostgresUrl pg,
      @Nullable Path file) {
    this.url = url;
    this.postgres = postgres;
    this.schema = schema;
    this.pg = pg;
    this.file = file;
  }

  static BenchDatabase create(String given) {
    String normalized = DatabaseUrl.normalize(given);
    String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
    if (PostgresUrl.matches(normalized)) {
      PostgresUrl pg = PostgresUrl.parse(normalized);
      String schema = "mayfly_bench_" + suffix;
      try (Connection c = connect(pg)) {
        c.createStatement().execute("CREATE SCHEMA " + schema);
      } catch (SQLException e) {
        throw new IllegalArgumentException(
            "cannot create the scratch schema " + schema + " in " + pg + ": " + e.getMessage(), e);
      }
      String url =
          pg.jdbcUrl() + (pg.jdbcUrl().contains("?") ? "&" : "?") + "currentSchema=" + schema;
      if (pg.user() != null) {
        url += "&user=" + pg.user();
      }
      if (pg.password() != null) {
        url += "&password=" + pg.password();
      }
      return new BenchDatabase(url, true, schema, pg, null);
    }
    Path given0 = Path.of(normalized.substring("jdbc:sqlite:".length()));
    Path file = given0.resolveSibling("bench-" + suffix + ".db");
    return new BenchDatabase("jdbc:sqlite:" + file, false, null, null, file);
  }

  static Connection connect(PostgresUrl pg) throws SQLException {
    Properties p = new Properties();
    String user = pg.user();
    String password = pg.password();
    if (user != null) {
      p.setProperty("user", user);
    }
    if (password != null) {
      p.setProperty("password", password);
    }
    return DriverManager.getConnection(pg.jdbcUrl(), p);
  }

  String label() {
    return postgres ? "postgresql" : "sqlite";
  }

  @Override
  public void close() {
    try {
      if (pg != null) {
        try (Connection c = connect(pg)) {
          c.createStatement().execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
      } else if (file != null) {
        for (String ext : new String[] {"", "-wal", "-shm"}) {
          Files.deleteIfExists(Path.of(file + ext));
        }
      }
    } catch (SQLException | IOException e) {
      System.err.println("bench: could not remove the scratch database: " + e.getMessage());
    }
  }
}
