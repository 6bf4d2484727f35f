import org.jspecify.annotations.NullMarked;

/** The durable queue on SQLite and PostgreSQL: internal to Mayfly, reached through the facade. */
@NullMarked // non-null unless @Nullable, checked by NullAway when this module compiles
@SuppressWarnings("module") // qualified exports name modules built after this one
module dev.mayfly.store {
  requires transitive dev.mayfly.api;
  requires static org.jspecify;
  requires java.sql;
  requires org.xerial.sqlitejdbc;
  requires org.postgresql.jdbc;
  requires com.zaxxer.hikari;

  exports dev.mayfly.store to
      dev.mayfly.runner,
      dev.mayfly.launch,
      dev.mayfly.core,
      dev.mayfly.heroku,
      dev.mayfly.dashboard,
      dev.mayfly.testkit;
  exports dev.mayfly.store.connect to
      dev.mayfly.runner,
      dev.mayfly.launch,
      dev.mayfly.core,
      dev.mayfly.heroku,
      dev.mayfly.dashboard,
      dev.mayfly.testkit;
  exports dev.mayfly.store.postgres to
      dev.mayfly.launch.local;
  exports dev.mayfly.store.sqlite to
      dev.mayfly.launch.local;
}
