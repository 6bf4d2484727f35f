package dev.mayfly.store.connect;

import dev.mayfly.store.JobStore;
import dev.mayfly.store.postgres.PostgresDatabase;
import dev.mayfly.store.postgres.PostgresUrl;
import dev.mayfly.store.sqlite.SqliteDatabase;
import java.nio.file.Path;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Opens the {@link JobStore} a database URL names. It has a package of its own because it knows
 * every implementation, which all depend on {@code dev.mayfly.store}: here, nothing depends back.
 */
public final class JobStores {
  /** Where the embedded store lives when no database is configured. */
  public static final String DEFAULT_SQLITE_PATH = ".mayfly/mayfly.db";

  private JobStores() {}

  /**
   * Opens (creating and migrating as needed) the store at {@code url}: a PostgreSQL URL ({@code
   * postgres://user:pass@host:5432/db} or {@code jdbc:postgresql://...}), {@code jdbc:sqlite:PATH},
   * {@code sqlite:PATH} or a plain file path for the embedded SQLite store; null or blank for the
   * default file {@value #DEFAULT_SQLITE_PATH} in the working directory.
   */
  public static JobStore open(String url) {
    return open(url, DEFAULT_POOL_SIZE);
  }

  /** Connections an app node keeps to PostgreSQL at most. */
  public static final int DEFAULT_POOL_SIZE = 8;

  /**
   * Opens the store, with at most {@code poolSize} connections where the database has a pool
   * (PostgreSQL); a runner process needs 2.
   */
  public static JobStore open(String url, int poolSize) {
    String normalized = normalize(url);
    if (PostgresUrl.matches(normalized)) {
      return PostgresDatabase.open(normalized, poolSize);
    }
    return SqliteDatabase.open(Path.of(normalized.substring("jdbc:sqlite:".length())));
  }

  /**
   * Opens the store at {@code url} only if Mayfly made one there, creating nothing: for what reads
   * or manages stored jobs, where a mistyped URL should say so rather than make an empty store. A
   * store of an older Mayfly is brought up to date, as {@link #open(String)} would.
   *
   * @throws dev.mayfly.store.NoStoreException if there is no such SQLite file, or the file or
   *     database holds no Mayfly tables
   */
  public static JobStore openExisting(String url) {
    String normalized = normalize(url);
    if (PostgresUrl.matches(normalized)) {
      return PostgresDatabase.openExisting(normalized, DEFAULT_POOL_SIZE);
    }
    return SqliteDatabase.openExisting(Path.of(normalized.substring("jdbc:sqlite:".length())));
  }

  /**
   * Opens the store for a one-off runner: on PostgreSQL two plain connections (its work loop and
   * heartbeat) instead of a pool, which a process that lives for one batch of jobs pays for in
   * start-up and never uses.
   */
  public static JobStore openForRunner(String url) {
    String normalized = normalize(url);
    if (PostgresUrl.matches(normalized)) {
      return PostgresDatabase.openForRunner(normalized);
    }
    return open(normalized);
  }

  /**
   * The canonical form of a database URL: absolute, so runner processes started elsewhere open the
   * same database. Throws with a message saying what forms are accepted.
   */
  public static String normalize(@Nullable String url) {
    String u = url == null ? "" : url.trim();
    if (u.isEmpty()) {
      u = DEFAULT_SQLITE_PATH;
    }
    String lower = u.toLowerCase(Locale.ROOT);
    if (PostgresUrl.matches(u)) {
      PostgresUrl.parse(u); // fails early, with an example, on a malformed URL
      return u;
    }
    String path;
    if (lower.startsWith("jdbc:sqlite:")) {
      path = u.substring("jdbc:sqlite:".length());
    } else if (lower.startsWith("sqlite:")) {
      path = u.substring("sqlite:".length());
    } else if (lower.contains("://") || lower.startsWith("jdbc:")) {
      throw new IllegalArgumentException(
          "unrecognised database URL '"
              + redact(u)
              + "'; use postgres://USER:PASSWORD@HOST:5432/DB, jdbc:postgresql://HOST:5432/DB,"
              + " jdbc:sqlite:PATH, sqlite:PATH or a file path");
    } else {
      path = u;
    }
    if (path.isBlank() || path.startsWith(":memory:") || path.startsWith("file:")) {
      throw new IllegalArgumentException(
          "the SQLite database must be a file path (runners are separate processes), got '"
              + u
              + "'");
    }
    return "jdbc:sqlite:" + Path.of(path).toAbsolutePath().normalize();
  }

  /**
   * Whether two URLs name the same database: the same SQLite file (through links, where both
   * exist), or the same PostgreSQL user, host, port and database whatever the spelling ({@code
   * postgres://}, {@code jdbc:postgresql:}, parameters; the password aside). False if either is not
   * a database URL Mayfly accepts.
   */
  public static boolean sameDatabase(String a, String b) {
    try {
      String x = normalize(a);
      String y = normalize(b);
      if (PostgresUrl.matches(x) && PostgresUrl.matches(y)) {
        return PostgresUrl.parse(x).display().equals(PostgresUrl.parse(y).display());
      }
      return x.equals(y) || sameFile(x, y);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static boolean sameFile(String x, String y) {
    String sqlite = "jdbc:sqlite:";
    if (!x.startsWith(sqlite) || !y.startsWith(sqlite)) {
      return false;
    }
    try {
      return java.nio.file.Files.isSameFile(
          Path.of(x.substring(sqlite.length())), Path.of(y.substring(sqlite.length())));
    } catch (java.io.IOException | RuntimeException e) {
      return false; // one of them is not there yet: the paths decide
    }
  }

  /** The URL with any password replaced, fit for logs and error messages. */
  public static @Nullable String redact(@Nullable String url) {
    return url == null
        ? null
        : url.replaceAll("(://[^:/@]+:)[^@]*@", "$1****@")
            .replaceAll("(?i)(password=)[^&]*", "$1****");
  }
}
