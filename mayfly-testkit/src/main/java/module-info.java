import org.jspecify.annotations.NullMarked;

/** For apps' tests: a real Mayfly on a throw-away store, with a clock the test moves. */
@NullMarked // non-null unless @Nullable, checked by NullAway when this module compiles
module dev.mayfly.testkit {
  requires static org.jspecify;
  requires transitive dev.mayfly.core;

  exports dev.mayfly.testkit;
}
