package dev.mayfly.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names a job type and sets its limits. The name is what is stored with each job, so renaming or
 * moving the class does not orphan jobs already queued. Without this annotation the name is the
 * class's simple name in kebab case ({@code AnalyseCommit} becomes {@code analyse-commit}).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface JobType {

  /** The stable name; lower-case letters, digits, '-', '_' and '.'. Empty means the default. */
  String value() default "";

  /**
   * How long one execution may take. A runner never starts a job it could not finish before its own
   * time-to-live runs out, judged by this timeout.
   */
  long timeoutSeconds() default 300;

  /**
   * Executions before the job is {@code dead}: a failed attempt (an exception, a timeout, a lost
   * runner) is retried until then, each retry after exponential backoff with jitter.
   */
  int maxAttempts() default 10;

  /** The first retry's delay; each further one doubles it (with ±25% jitter), up to an hour. */
  long backoffSeconds() default 15;
}
