import org.jspecify.annotations.NullMarked;

/**
 * The durable queue: one role interface per caller ({@code RunnerQueue}, {@code Fleet}, {@code
 * Intake}, {@code ReadModel}, {@code ScheduleStore}) on a {@code JobStore} handle, the SQL they
 * share on every database ({@code dev.mayfly.store.jdbc}), and {@code JobStores}, which opens a
 * store through the {@code StoreProvider} of a database's own module (mayfly-store-sqlite,
 * mayfly-store-postgres). No driver, no pool: internal to Mayfly, reached through the facade.
 */
@NullMarked // non-null unless @Nullable, checked by NullAway when this module compiles
@SuppressWarnings("module") // qualified exports name modules built after this one
module dev.mayfly.store {
  requires transitive dev.mayfly.api;
  // database URLs, which every caller of JobStores writes, normalises and redacts by its rules
  requires transitive dev.mayfly.protocol;
  requires static org.jspecify;
  requires transitive java.sql; // Intake.enqueueAllOn takes the app's JDBC connection

  exports dev.mayfly.store to
      dev.mayfly.store.sqlite,
      dev.mayfly.store.postgres,
      dev.mayfly.runner,
      dev.mayfly.launch,
      dev.mayfly.core,
      dev.mayfly.heroku,
      dev.mayfly.dashboard,
      dev.mayfly.testkit;
  exports dev.mayfly.store.connect to
      dev.mayfly.store.sqlite,
      dev.mayfly.store.postgres,
      dev.mayfly.runner,
      dev.mayfly.launch,
      dev.mayfly.core,
      dev.mayfly.heroku,
      dev.mayfly.dashboard,
      dev.mayfly.testkit;
  exports dev.mayfly.store.jdbc to
      dev.mayfly.store.sqlite,
      dev.mayfly.store.postgres;

  uses dev.mayfly.store.connect.StoreProvider;
}
