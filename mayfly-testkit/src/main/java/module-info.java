import org.jspecify.annotations.NullMarked;

/** For apps' tests: a real Mayfly on a throw-away store, with a clock the test moves. */
@NullMarked // non-null unless @Nullable, checked by NullAway when this module compiles
module dev.mayfly.testkit {
  requires static org.jspecify;
  requires transitive dev.mayfly.core;
  requires dev.mayfly.runner; // drain() runs a Runner on the calling thread

  exports dev.mayfly.testkit;
}
