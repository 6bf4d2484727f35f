package dev.mayfly.spring;

import dev.mayfly.api.Job;
import dev.mayfly.internal.jobs.JobInstances;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;

/**
 * Job instances from the application context: the job's bean where there is one (its scope, its
 * proxies, such as {@code @Transactional}, and its dependencies), else a new instance with its
 * dependencies injected, for a job class registered by name ({@code mayfly.jobs}) rather than as a
 * bean. A singleton job bean runs the jobs of several runners at once when they run in-process:
 * keep job beans stateless, as Spring's singletons are.
 */
final class BeanJobs {
  private BeanJobs() {}

  static JobInstances instances(ConfigurableListableBeanFactory beans) {
    return type -> {
      Class<?> c = type.jobClass();
      try {
        return (Job<?>) beans.getBean(c);
      } catch (NoSuchBeanDefinitionException notABean) {
        return (Job<?>) beans.createBean(c);
      }
    };
  }
}
