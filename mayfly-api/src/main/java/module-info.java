import org.jspecify.annotations.NullMarked;

/**
 * What job authors write against (a {@code Job}, its context and outcomes) and the read models an
 * app gets back from {@code Admin}. {@code dev.mayfly.internal.jobs} (the job-type registry and its
 * JSON) and {@code dev.mayfly.internal.time} (the one reader of the machine's clocks, and a clock
 * tests move) are for Mayfly's own modules only.
 */
@NullMarked // non-null unless @Nullable, checked by NullAway when this module compiles
@SuppressWarnings("module") // qualified exports name modules built after this one
module dev.mayfly.api {
  requires static org.jspecify;
  requires com.fasterxml.jackson.databind;
  requires com.fasterxml.jackson.datatype.jsr310;

  exports dev.mayfly.api;
  exports dev.mayfly.internal.jobs to
      dev.mayfly.store,
      dev.mayfly.runner,
      dev.mayfly.launch.local,
      dev.mayfly.core,
      dev.mayfly.heroku,
      dev.mayfly.heroku.emulator,
      dev.mayfly.dashboard,
      dev.mayfly.testkit;
  exports dev.mayfly.internal.names to
      dev.mayfly.core;
  exports dev.mayfly.internal.time to
      dev.mayfly.store,
      dev.mayfly.store.sqlite,
      dev.mayfly.store.postgres,
      dev.mayfly.runner,
      dev.mayfly.launch.local,
      dev.mayfly.core,
      dev.mayfly.heroku,
      dev.mayfly.testkit;

  // job arguments and the read models are records that Jackson writes and reads
  opens dev.mayfly.api to
      com.fasterxml.jackson.databind;
}
