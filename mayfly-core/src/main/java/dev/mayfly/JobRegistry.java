package dev.mayfly;

import dev.mayfly.api.Job;
import dev.mayfly.internal.jobs.JobTypes;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * One job-type registry per configuration: the one {@link MayflyConfig} checks when it is built is
 * the one its {@link Mayfly} then enqueues, schedules and dispatches with, not a second one built
 * from the same classes. Kept while the configuration's list of job classes is.
 */
final class JobRegistry {
  private static final Map<List<Class<? extends Job<?>>>, JobTypes> BUILT =
      Collections.synchronizedMap(new WeakHashMap<>());

  private JobRegistry() {}

  /**
   * The registry of {@code jobs}, built on first use.
   *
   * @throws IllegalArgumentException if a class is not a job type Mayfly can run, or two share a
   *     name
   */
  static JobTypes of(List<Class<? extends Job<?>>> jobs) {
    JobTypes types = BUILT.get(jobs);
    if (types == null) {
      types = JobTypes.of(jobs); // validates: built outside the lock, a clash throws here
      BUILT.put(jobs, types);
    }
    return types;
  }
}
