import org.jspecify.annotations.NullMarked;

/** The dashboard, its JSON API and Micrometer meters. */
@NullMarked // non-null unless @Nullable, checked by NullAway when this module compiles
module dev.mayfly.dashboard {
  requires static org.jspecify;
  requires transitive dev.mayfly.core;
  requires io.javalin;
  requires transitive jakarta.servlet; // Dashboard.servlet, for an app's own server
  requires transitive micrometer.core;
  requires micrometer.registry.prometheus;
  requires com.fasterxml.jackson.databind;

  exports dev.mayfly.dashboard;
}
