import org.jspecify.annotations.NullMarked;

/**
 * The launcher SPI ({@code dev.mayfly.launch}): what a platform implements to start, stop and
 * observe runners, found through {@code LauncherProvider}. It needs only the API and the runner
 * protocol; Mayfly's own local and in-process launchers are in {@code dev.mayfly.launch.local}.
 */
@NullMarked // non-null unless @Nullable, checked by NullAway when this module compiles
module dev.mayfly.launch {
  requires static org.jspecify;
  requires transitive dev.mayfly.api;
  requires transitive dev.mayfly.protocol;

  exports dev.mayfly.launch;
}
