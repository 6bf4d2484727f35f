package dev.mayfly.spring;

import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.util.ClassUtils;

/**
 * The app's {@code mayfly.*} properties. Those of Mayfly itself are the keys of {@code
 * mayfly.properties} behind the prefix ({@code mayfly.queue.mail.max-runners}, {@code
 * mayfly.schedule.nightly.cron}), handed to {@code MayflyConfig.Builder.properties}, which checks
 * them and names what is wrong. The starter's own are {@link #STARTER}.
 *
 * <p>Operating-system environment variables are not read as {@code mayfly.*} properties: a runner
 * process has {@code MAYFLY_QUEUE}, {@code MAYFLY_JOBS} and the like in its environment, which are
 * its launch settings, not the app's configuration. Mayfly reads {@code MAYFLY_DATABASE_URL} and
 * {@code DATABASE_URL} itself.
 */
final class SpringSettings {
  /**
   * Properties of the starter, not of {@code mayfly.properties}; the last two are set by {@link
   * MayflySpringRunner} in runner processes.
   */
  static final Set<String> STARTER =
      Set.of(
          "dispatcher.enabled",
          "dashboard.enabled",
          "dashboard.path",
          "dashboard.role",
          "runner.application",
          "runner.process",
          "spring.application");

  private final TreeMap<String, String> mayfly;
  private final TreeMap<String, String> starter;

  private SpringSettings(TreeMap<String, String> mayfly, TreeMap<String, String> starter) {
    this.mayfly = mayfly;
    this.starter = starter;
  }

  static SpringSettings of(ConfigurableEnvironment env) {
    TreeMap<String, String> mayfly = new TreeMap<>();
    TreeMap<String, String> starter = new TreeMap<>();
    for (PropertySource<?> source : env.getPropertySources()) {
      if (source instanceof SystemEnvironmentPropertySource
          || !(source instanceof EnumerablePropertySource<?> names)) {
        continue;
      }
      for (String name : names.getPropertyNames()) {
        if (!name.startsWith("mayfly.")) {
          continue;
        }
        String key = name.substring("mayfly.".length());
        String value = env.getProperty(name); // the winning source's value, placeholders resolved
        if (value == null) {
          continue;
        }
        (STARTER.contains(key) ? starter : mayfly).putIfAbsent(key, value);
      }
    }
    return new SpringSettings(mayfly, starter);
  }

  Properties mayflyProperties() {
    Properties p = new Properties();
    p.putAll(mayfly);
    return p;
  }

  boolean namesDatabase() {
    return mayfly.containsKey("database");
  }

  /**
   * The class runner processes boot: {@code mayfly.runner.application}, else the app's
   * {@code @SpringBootApplication} class; null if there is none (a runner then runs the job classes
   * without the app around them).
   */
  @Nullable String application(ConfigurableListableBeanFactory beans) {
    String named = starter.get("runner.application");
    if (named != null && !named.isBlank()) {
      return named.trim();
    }
    for (String name : beans.getBeanNamesForAnnotation(SpringBootConfiguration.class)) {
      Class<?> type = beans.getType(name, false);
      if (type != null) {
        return ClassUtils.getUserClass(type).getName();
      }
    }
    return null;
  }
}
