package dev.mayfly.api;

/**
 * A kind of background work. Each job type is a class with a public no-argument constructor whose
 * arguments are a record, stored as plain JSON and bound back to the record when the job runs.
 *
 * <pre>{@code
 * @JobType("analyse-commit")
 * public final class AnalyseCommit implements Job<AnalyseCommit.Args> {
 *   public record Args(String repo, String commit) {}
 *
 *   public Outcome perform(Args args, JobContext ctx) {
 *     ctx.log().info("analysing " + args.commit());
 *     return Outcome.success();
 *   }
 * }
 * }</pre>
 *
 * <p>Delivery is <b>at least once</b>: a runner that dies after the work was done but before the
 * outcome was stored makes the job run again. Jobs should be idempotent, or check {@link
 * JobContext#attempt()}.
 *
 * <p>A fresh instance is created for every execution, so fields are not shared between jobs.
 *
 * @param <A> the record the job's JSON arguments are bound to
 */
public interface Job<A extends Record> {

  /**
   * Does the work. Returning an {@link Outcome} decides what happens next; throwing anything ends
   * this attempt as a failure with the stack trace stored.
   */
  Outcome perform(A args, JobContext ctx) throws Exception;
}
