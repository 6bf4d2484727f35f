import org.jspecify.annotations.NullMarked;

/**
 * The production store: PostgreSQL, shared by every app node and every runner, through a HikariCP
 * pool on an app node and two plain connections in a runner. Found by {@code JobStores} through its
 * {@code StoreProvider}; nothing else of it is exported.
 */
@NullMarked // non-null unless @Nullable, checked by NullAway when this module compiles
module dev.mayfly.store.postgres {
  requires dev.mayfly.store;
  requires static org.jspecify;
  requires org.postgresql.jdbc;
  requires com.zaxxer.hikari;

  provides dev.mayfly.store.connect.StoreProvider with
      dev.mayfly.store.postgres.PostgresStoreProvider;
}
