package dev.mayfly.store.connect;

import dev.mayfly.store.JobStore;

/**
 * A database Mayfly can store in, found by {@link JobStores} through {@link
 * java.util.ServiceLoader}: each store module (SQLite, PostgreSQL) provides one, named in its
 * {@code module-info} and in {@code META-INF/services} (runners run on the class path). A provider
 * is made for every lookup of the process's one, so it holds nothing and loads no driver until it
 * opens a store.
 *
 * <p>Every URL it is given is in the canonical form of {@code DatabaseUrl.normalize}.
 */
public interface StoreProvider {
  /** Whether this provider's database is the one {@code url} names. */
  boolean accepts(String url);

  /**
   * Opens (creating and migrating as needed) the store at {@code url}, with at most {@code
   * poolSize} connections where the database has a pool.
   */
  JobStore open(String url, int poolSize);

  /**
   * Opens the store at {@code url} only if Mayfly made one there, creating nothing; brings one of
   * an older Mayfly up to date.
   *
   * @throws dev.mayfly.store.NoStoreException if there is no Mayfly store there
   */
  JobStore openExisting(String url, int poolSize);

  /** Opens the store for a one-off runner, as cheaply as the database allows. */
  JobStore openForRunner(String url);
}
