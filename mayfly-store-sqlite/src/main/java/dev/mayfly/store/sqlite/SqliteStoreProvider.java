package dev.mayfly.store.sqlite;

import dev.mayfly.store.JobStore;
import dev.mayfly.store.connect.StoreProvider;
import java.nio.file.Path;

/** The embedded store in a SQLite file: {@code jdbc:sqlite:} and an absolute path. */
public final class SqliteStoreProvider implements StoreProvider {
  private static final String PREFIX = "jdbc:sqlite:";

  @Override
  public boolean accepts(String url) {
    return url.startsWith(PREFIX);
  }

  @Override
  public JobStore open(String url, int poolSize) {
    return SqliteDatabase.open(file(url));
  }

  @Override
  public JobStore openExisting(String url, int poolSize) {
    return SqliteDatabase.openExisting(file(url));
  }

  /** The same as for an app: one connection, which is all a local file needs. */
  @Override
  public JobStore openForRunner(String url) {
    return SqliteDatabase.open(file(url));
  }

  private static Path file(String url) {
    return Path.of(url.substring(PREFIX.length()));
  }
}
