package dev.mayfly.spring;

import dev.mayfly.Mayfly;
import dev.mayfly.MayflyConfig;
import dev.mayfly.api.Job;
import dev.mayfly.internal.jobs.JobInstances;
import dev.mayfly.internal.time.SystemTime;
import dev.mayfly.launch.inprocess.InProcessLauncher;
import dev.mayfly.launch.local.LocalLauncher;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.util.ClassUtils;

/**
 * Mayfly in a Spring Boot app. Settings come from {@code mayfly.*} properties, with the names of
 * {@code mayfly.properties} ({@link SpringSettings}); the store is the app's own database unless
 * {@code mayfly.database} names another, and then jobs enqueued inside a Spring transaction are
 * written in it; every bean that is a {@link Job} is a job type, run with its dependencies; and
 * runners, local or in-process, run the app's beans (see {@link MayflySpringRunner}).
 *
 * <p>The dispatcher starts with the application context and stops before it closes, unless {@code
 * mayfly.dispatcher.enabled=false}: the way to enqueue from a node that launches nothing, and what
 * a runner process sets for itself.
 */
@AutoConfiguration(
    afterName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
public class MayflyAutoConfiguration {
  private static final String SPRING_TX =
      "org.springframework.transaction.support.TransactionSynchronizationManager";

  @Bean
  @ConditionalOnMissingBean
  MayflyConfig mayflyConfig(
      ConfigurableEnvironment environment,
      ConfigurableListableBeanFactory beans,
      ObjectProvider<DataSource> dataSource) {
    MayflyConfig.Builder b = MayflyConfig.builder();
    SpringSettings settings = SpringSettings.of(environment);
    try {
      b.properties(settings.mayflyProperties(), "Spring property mayfly.*");
    } catch (IllegalArgumentException e) {
      throw new MayflySettingsException(e);
    }
    DataSource app = dataSource.getIfUnique();
    if (!settings.namesDatabase() && app != null) {
      AppDatabase.url(app)
          .ifPresent(
              url -> {
                b.database(url);
                if (ClassUtils.isPresent(
                    SPRING_TX, MayflyAutoConfiguration.class.getClassLoader())) {
                  b.transaction(SpringTransactions.current(app));
                }
              });
    }
    b.jobs(jobBeanTypes(beans));
    JobInstances instances = BeanJobs.instances(beans);
    // One clock and ticker, set here, for the configuration and the launchers registered in it:
    // the dispatcher, the runners these launchers start and the exits they report read one time.
    InstantSource clock = SystemTime.clock();
    LongSupplier ticker = SystemTime.ticker();
    b.clock(clock).ticker(ticker);
    b.launcher(new InProcessLauncher(clock, ticker, instances));
    b.launcher(
        new LocalLauncher(
            MayflySpringRunner.localOptions(
                settings.application(beans), List.of(environment.getActiveProfiles())),
            clock));
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new MayflySettingsException(e); // a setting that is wrong only beside the others
    }
  }

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  Mayfly mayfly(MayflyConfig config) {
    return Mayfly.create(config);
  }

  /** Starts the dispatcher once every bean is ready; closing the context closes it. */
  @Bean
  @ConditionalOnBooleanProperty(name = "mayfly.dispatcher.enabled", matchIfMissing = true)
  SmartLifecycle mayflyDispatcher(Mayfly mayfly) {
    return new SmartLifecycle() {
      private volatile boolean running;

      @Override
      public void start() {
        mayfly.start();
        running = true;
      }

      @Override
      public void stop() {
        running = false; // the bean's close, right after, stops the dispatcher and the store
      }

      @Override
      public boolean isRunning() {
        return running;
      }
    };
  }

  /**
   * Mayfly's meters in the app's registry ({@code MayflyMetrics}, from {@code mayfly-dashboard},
   * where the app has it): jobs by state, runners, launches, schedule fires.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(
      name = {"dev.mayfly.dashboard.MayflyMetrics", "io.micrometer.core.instrument.MeterRegistry"})
  @ConditionalOnBooleanProperty(
      name = MayflySpringRunner.RUNNER_PROCESS,
      havingValue = false,
      matchIfMissing = true)
  static class Metrics {
    @Bean
    @ConditionalOnMissingBean
    dev.mayfly.dashboard.MayflyMetrics mayflyMetrics(Mayfly mayfly) {
      return dev.mayfly.dashboard.MayflyMetrics.of(mayfly);
    }
  }

  /**
   * The dashboard under the app's own server, at {@code mayfly.dashboard.path} ({@code /mayfly}),
   * where the app serves servlets and has {@code mayfly-dashboard}. With Spring Security in the
   * app, the app's security decides who gets in (a logged-in user, with {@code
   * mayfly.dashboard.role} if set) and the page sends Spring's CSRF token with its own; without it,
   * Mayfly's own rules apply: without {@code mayfly.dashboard.username}/{@code password} or {@code
   * token} it answers only requests addressed to localhost, and its actions need its CSRF token.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(
      name = {
        "dev.mayfly.dashboard.Dashboard",
        "org.springframework.boot.web.servlet.ServletRegistrationBean"
      })
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  @ConditionalOnBooleanProperty(name = "mayfly.dashboard.enabled", matchIfMissing = true)
  static class DashboardServlet {
    private static final String SPRING_SECURITY = "org.springframework.security.web.csrf.CsrfToken";
    private static final String SPRING_SECURITY_FILTER = "springSecurityFilterChain";

    @Bean
    org.springframework.boot.web.servlet.ServletRegistrationBean<jakarta.servlet.Servlet>
        mayflyDashboard(
            Mayfly mayfly,
            ConfigurableEnvironment environment,
            ConfigurableListableBeanFactory beans) {
      String path = environment.getProperty("mayfly.dashboard.path", "/mayfly");
      var settings =
          dev.mayfly.dashboard.DashboardSettings.from(mayfly.config()).withBasePath(path);
      // Spring Security is in the app, and its filter chain is on (Boot's default, or the app's)
      boolean secured =
          ClassUtils.isPresent(SPRING_SECURITY, DashboardServlet.class.getClassLoader())
              && beans.containsBean(SPRING_SECURITY_FILTER);
      jakarta.servlet.Servlet servlet =
          secured
              ? SecuredDashboard.of(
                  mayfly, settings, environment.getProperty("mayfly.dashboard.role"))
              : dev.mayfly.dashboard.Dashboard.servlet(mayfly, settings);
      var registration =
          new org.springframework.boot.web.servlet.ServletRegistrationBean<>(
              servlet, settings.basePath() + "/*", settings.basePath());
      registration.setName("mayflyDashboard");
      return registration;
    }
  }

  /** {@code mayfly} in the actuator's health: down when the store cannot be read. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
  @ConditionalOnBooleanProperty(
      name = MayflySpringRunner.RUNNER_PROCESS,
      havingValue = false,
      matchIfMissing = true)
  static class Health {
    @Bean
    @ConditionalOnMissingBean(name = "mayflyHealthIndicator")
    org.springframework.boot.health.contributor.HealthIndicator mayflyHealthIndicator(
        Mayfly mayfly) {
      return new MayflyHealth(mayfly);
    }
  }

  /** The classes of the beans that are jobs, found without creating any bean. */
  @SuppressWarnings("unchecked")
  static List<Class<? extends Job<?>>> jobBeanTypes(ConfigurableListableBeanFactory beans) {
    List<Class<? extends Job<?>>> types = new ArrayList<>();
    for (String name : beans.getBeanNamesForType(Job.class, true, false)) {
      Class<?> type = beans.getType(name, false);
      if (type != null) {
        Class<?> user = ClassUtils.getUserClass(type);
        if (!types.contains(user)) {
          types.add((Class<? extends Job<?>>) user);
        }
      }
    }
    return types;
  }
}
