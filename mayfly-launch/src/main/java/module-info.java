import org.jspecify.annotations.NullMarked;

/**
 * The launcher SPI ({@code dev.mayfly.launch}): what a platform implements to start, stop and
 * observe runners, found through {@code LauncherProvider}. The built-in local and in-process
 * launchers are Mayfly's own.
 */
@SuppressWarnings("module") // qualified exports name modules built after this one
@NullMarked // non-null unless @Nullable, checked by NullAway when this module compiles
module dev.mayfly.launch {
  requires static org.jspecify;
  requires transitive dev.mayfly.runner;
  requires dev.mayfly.store.sqlite; // the local launcher extracts SQLite's library once for runners

  exports dev.mayfly.launch;
  exports dev.mayfly.launch.local to
      dev.mayfly.core;
  exports dev.mayfly.launch.inprocess to
      dev.mayfly.core;
}
