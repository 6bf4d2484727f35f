import org.jspecify.annotations.NullMarked;

/**
 * A local emulation of Heroku's Platform API whose dynos really run, for the Heroku launcher's
 * tests, {@code mayfly heroku-emulator} and the example. Not exported: it is no part of Mayfly's
 * public API, and those who use it (the CLI, tests) run on the class path.
 */
@NullMarked // non-null unless @Nullable, checked by NullAway when this module compiles
module dev.mayfly.heroku.emulator {
  requires static org.jspecify;
  requires dev.mayfly.api;
  requires jdk.httpserver;
  requires com.fasterxml.jackson.databind;
}
