import org.jspecify.annotations.NullMarked;

/**
 * Mayfly's facade: {@code Mayfly}, its configuration, {@code Admin}, and the cost report. The
 * dispatcher and everything below it stay inside.
 */
@SuppressWarnings("module") // qualified exports name modules built after this one
@NullMarked // non-null unless @Nullable, checked by NullAway when this module compiles
module dev.mayfly.core {
  requires static org.jspecify;
  requires transitive dev.mayfly.api;
  requires transitive dev.mayfly.launch;
  requires dev.mayfly.launch.local;
  // the dashboard and the test kit read the store through this module
  requires transitive dev.mayfly.store;
  requires transitive java.sql; // MayflyConfig.transaction gives a JDBC connection
  requires com.cronutils;
  requires com.fasterxml.jackson.databind; // schedules' arguments are checked as JSON

  exports dev.mayfly;
  exports dev.mayfly.cost;
  exports dev.mayfly.internal to
      dev.mayfly.dashboard;

  uses dev.mayfly.launch.LauncherProvider;
}
