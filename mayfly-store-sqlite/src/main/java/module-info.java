import org.jspecify.annotations.NullMarked;

/**
 * The embedded store: one SQLite file shared by the app and every runner process. Found by {@code
 * JobStores} through its {@code StoreProvider}; {@code SqliteNative} is for the local launcher.
 */
@NullMarked // non-null unless @Nullable, checked by NullAway when this module compiles
@SuppressWarnings("module") // qualified exports name modules built after this one
module dev.mayfly.store.sqlite {
  requires dev.mayfly.store;
  requires static org.jspecify;
  requires org.xerial.sqlitejdbc;

  exports dev.mayfly.store.sqlite to
      dev.mayfly.launch.local;

  provides dev.mayfly.store.connect.StoreProvider with
      dev.mayfly.store.sqlite.SqliteStoreProvider;
}
