import org.jspecify.annotations.NullMarked;

/** The one-off runner process: internal to Mayfly; launchers start {@code RunnerMain}. */
@NullMarked // non-null unless @Nullable, checked by NullAway when this module compiles
@SuppressWarnings("module") // qualified exports name modules built after this one
module dev.mayfly.runner {
  requires static org.jspecify;
  requires transitive dev.mayfly.protocol;
  requires transitive dev.mayfly.store;
  // JobExits: a job's System.exit is told through the JDK's Runtime.exit log, where there is one
  requires static java.logging;

  exports dev.mayfly.runner to
      dev.mayfly.launch.local, // the in-process launcher runs RunnerMain
      dev.mayfly.testkit;
}
