package dev.mayfly.spring;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a wrong {@code mayfly.*} property into Spring Boot's start-up failure report: what is
 * wrong, and what to do, instead of a chain of bean-creation exceptions.
 */
final class MayflySettingsFailureAnalyzer extends AbstractFailureAnalyzer<MayflySettingsException> {
  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, MayflySettingsException cause) {
    return new FailureAnalysis(
        "Mayfly cannot start: " + cause.getMessage(),
        "Correct the mayfly.* property named above. Its keys are those of mayfly.properties"
            + " behind the prefix mayfly. (docs/cli.md, docs/spring-boot.md); the starter's own"
            + " are mayfly.dispatcher.enabled, mayfly.runner.application, mayfly.dashboard.enabled"
            + " and mayfly.dashboard.path.",
        cause);
  }
}
