/** Runners as Heroku one-off dynos: found by Mayfly through {@code LauncherProvider}. */
module dev.mayfly.heroku {
  requires dev.mayfly.launch;
  requires java.net.http;
  requires jdk.httpserver;
  requires com.fasterxml.jackson.databind;

  provides dev.mayfly.launch.LauncherProvider with
      dev.mayfly.heroku.HerokuLauncherProvider;
}
