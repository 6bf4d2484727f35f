package dev.mayfly.store.connect;

import dev.mayfly.protocol.DatabaseUrl;
import dev.mayfly.protocol.PostgresUrl;
import dev.mayfly.store.JobStore;
import dev.mayfly.store.StoreException;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Opens the {@link JobStore} a database URL names, through the {@link StoreProvider} of the store
 * module an app put on its class path or module path: {@code mayfly-store-sqlite} (which {@code
 * mayfly-core} brings), {@code mayfly-store-postgres}. It has a package of its own because nothing
 * it depends on depends back on it: the store modules provide, this package finds them.
 */
public final class JobStores {
  /** Connections an app node keeps to PostgreSQL at most. */
  public static final int DEFAULT_POOL_SIZE = 8;

  private JobStores() {}

  /**
   * Opens (creating and migrating as needed) the store at {@code url}: a PostgreSQL URL ({@code
   * postgres://user:pass@host:5432/db} or {@code jdbc:postgresql://...}), {@code jdbc:sqlite:PATH},
   * {@code sqlite:PATH} or a plain file path for the embedded SQLite store; null or blank for the
   * default file in the working directory ({@link DatabaseUrl#normalize}).
   */
  public static JobStore open(String url) {
    return open(url, DEFAULT_POOL_SIZE);
  }

  /**
   * Opens the store, with at most {@code poolSize} connections where the database has a pool
   * (PostgreSQL); a runner process needs 2.
   */
  public static JobStore open(String url, int poolSize) {
    String normalized = DatabaseUrl.normalize(url);
    return providerFor(normalized).open(normalized, poolSize);
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
    String normalized = DatabaseUrl.normalize(url);
    return providerFor(normalized).openExisting(normalized, DEFAULT_POOL_SIZE);
  }

  /**
   * Opens the store for a one-off runner: on PostgreSQL two plain connections (its work loop and
   * heartbeat) instead of a pool, which a process that lives for one batch of jobs pays for in
   * start-up and never uses.
   */
  public static JobStore openForRunner(String url) {
    String normalized = DatabaseUrl.normalize(url);
    return providerFor(normalized).openForRunner(normalized);
  }

  /**
   * The provider whose database {@code url} names. The providers are looked up once per process, on
   * first use: one {@link ServiceLoader} pass, which a runner pays for at start.
   */
  static StoreProvider providerFor(String url) {
    for (StoreProvider p : Providers.ALL) {
      if (p.accepts(url)) {
        return p;
      }
    }
    String module =
        PostgresUrl.matches(url)
            ? "dev.mayfly:mayfly-store-postgres"
            : "dev.mayfly:mayfly-store-sqlite";
    throw new StoreException(
        "no Mayfly store on the class path opens "
            + DatabaseUrl.redact(url)
            + ": add the dependency "
            + module
            + " to the app (runners get the app's class path)"
            + (Providers.ALL.isEmpty()
                ? ""
                : "; found only stores for other databases: "
                    + Providers.ALL.stream().map(p -> p.getClass().getName()).toList()));
  }

  /** The store modules present, found when first needed. */
  private static final class Providers {
    static final List<StoreProvider> ALL =
        ServiceLoader.load(StoreProvider.class, JobStores.class.getClassLoader()).stream()
            .map(ServiceLoader.Provider::get)
            .toList();
  }
}
