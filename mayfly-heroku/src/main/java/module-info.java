import org.jspecify.annotations.NullMarked;

/** Runners as Heroku one-off dynos: found by Mayfly through {@code LauncherProvider}. */
@NullMarked // non-null unless @Nullable, checked by NullAway when this module compiles
module dev.mayfly.heroku {
  requires static org.jspecify;
  requires dev.mayfly.launch;
  requires dev.mayfly.store; // JobStores.redact and sameDatabase
  requires java.net.http;
  requires com.fasterxml.jackson.databind;

  provides dev.mayfly.launch.LauncherProvider with
      dev.mayfly.heroku.HerokuLauncherProvider;
}
