import org.jspecify.annotations.NullMarked;

/**
 * The runner protocol: what a dispatcher tells a runner it launches (its environment), how a
 * runner's output is marked and capped, how a database URL is written, and which jobs a runner may
 * take within its time-to-live. Both ends depend on it; it depends on the API alone.
 */
@NullMarked // non-null unless @Nullable, checked by NullAway when this module compiles
@SuppressWarnings("module") // qualified exports name modules built after this one
module dev.mayfly.protocol {
  requires static org.jspecify;
  requires transitive dev.mayfly.api;

  // Mayfly's own modules only: not the API an app is written against (ArchitectureTest)
  exports dev.mayfly.protocol to
      dev.mayfly.store,
      dev.mayfly.store.postgres,
      dev.mayfly.runner,
      dev.mayfly.launch,
      dev.mayfly.launch.local,
      dev.mayfly.store.sqlite,
      dev.mayfly.core,
      dev.mayfly.heroku,
      dev.mayfly.dashboard,
      dev.mayfly.testkit;
}
