/** The one-off runner process: internal to Mayfly; launchers start {@code RunnerMain}. */
@SuppressWarnings("module") // qualified exports name modules built after this one
module dev.mayfly.runner {
  requires transitive dev.mayfly.store;

  exports dev.mayfly.runner to
      dev.mayfly.launch,
      dev.mayfly.core,
      dev.mayfly.testkit;
}
