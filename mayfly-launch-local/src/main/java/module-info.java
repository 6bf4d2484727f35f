import org.jspecify.annotations.NullMarked;

/**
 * Mayfly's own launchers: {@code dev.mayfly.launch.local} starts each runner as a JVM on this
 * machine (with a start-up cache), {@code dev.mayfly.launch.inprocess} runs it on a virtual thread
 * of this one. Internal: the facade reaches them by name ({@code Launchers}).
 */
@SuppressWarnings("module") // qualified exports name modules built after this one
@NullMarked // non-null unless @Nullable, checked by NullAway when this module compiles
module dev.mayfly.launch.local {
  requires static org.jspecify;
  requires transitive dev.mayfly.launch;
  requires dev.mayfly.runner;
  requires dev.mayfly.store.sqlite; // SqliteNative: the start-up cache extracts it once

  exports dev.mayfly.launch.local to
      dev.mayfly.core;
  exports dev.mayfly.launch.inprocess to
      dev.mayfly.core;
}
