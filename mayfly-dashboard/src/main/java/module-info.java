/** The dashboard, its JSON API and Micrometer meters. */
module dev.mayfly.dashboard {
  requires transitive dev.mayfly.core;
  requires io.javalin;
  requires transitive micrometer.core;
  requires micrometer.registry.prometheus;
  requires com.fasterxml.jackson.databind;

  exports dev.mayfly.dashboard;
}
