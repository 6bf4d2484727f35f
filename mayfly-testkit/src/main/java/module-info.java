/** For apps' tests: a real Mayfly on a throw-away store, with a clock the test moves. */
module dev.mayfly.testkit {
  requires transitive dev.mayfly.core;

  exports dev.mayfly.testkit;
}
