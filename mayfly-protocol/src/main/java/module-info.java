import org.jspecify.annotations.NullMarked;

/**
 * The runner protocol: what a dispatcher tells a runner it launches (its environment), how a
 * runner's output is marked and capped, how a database URL is written, and which jobs a runner may
 * take within its time-to-live. Both ends depend on it; it depends on the API alone.
 */
@NullMarked // non-null unless @Nullable, checked by NullAway when this module compiles
module dev.mayfly.protocol {
  requires static org.jspecify;
  requires transitive dev.mayfly.api;

  exports dev.mayfly.protocol;
}
