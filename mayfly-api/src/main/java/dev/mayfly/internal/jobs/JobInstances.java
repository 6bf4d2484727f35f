package dev.mayfly.internal.jobs;

import dev.mayfly.api.Job;

/**
 * Makes the instance of a job class that runs one job. By default a new one through its public
 * no-argument constructor; a dependency-injection container (the Spring Boot starter) gives its
 * own, with the job's dependencies.
 */
@FunctionalInterface
public interface JobInstances {
  /** The default: {@code new JobClass()} for every job. */
  JobInstances CONSTRUCTOR = JobDescriptor::newInstance;

  Job<?> create(JobDescriptor type);
}
