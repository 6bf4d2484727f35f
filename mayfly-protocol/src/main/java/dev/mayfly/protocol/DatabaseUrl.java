package dev.mayfly.protocol;

import java.nio.file.Path;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * How a database URL is written: the forms Mayfly accepts, the one form it passes to runners (so a
 * process started elsewhere opens the same database), and how it is shown without its password.
 * Pure string and path rules: opening a store at a URL is {@code JobStores}' work.
 */
public final class DatabaseUrl {
  /** Where the embedded store lives when no database is configured. */
  public static final String DEFAULT_SQLITE_PATH = ".mayfly/mayfly.db";

  private DatabaseUrl() {}

  /**
   * The canonical form of a database URL: a PostgreSQL URL ({@code
   * postgres://user:pass@host:5432/db} or {@code jdbc:postgresql://...}) as it is; {@code
   * jdbc:sqlite:PATH}, {@code sqlite:PATH} or a plain file path as {@code jdbc:sqlite:} and the
   * absolute file; null or blank for the default file {@value #DEFAULT_SQLITE_PATH} in the working
   * directory. Throws with a message saying what forms are accepted.
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
