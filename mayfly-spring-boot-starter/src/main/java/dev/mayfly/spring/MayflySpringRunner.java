package dev.mayfly.spring;

import dev.mayfly.internal.jobs.JobInstances;
import dev.mayfly.internal.time.SystemTime;
import dev.mayfly.launch.local.LocalOptions;
import dev.mayfly.runner.RunnerMain;
import dev.mayfly.runner.RunnerTraining;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The main class of a Spring app's one-off runner: it boots the app named by the system property
 * {@value #APPLICATION} without its web server, its dispatcher or its schedules ({@code
 * mayfly.dispatcher.enabled=false}, on the command line so no file of the app can turn it back on),
 * with beans created when first used, then claims and runs jobs as every runner does, each job
 * being its bean with its dependencies, and exits.
 *
 * <p>Started by the local launcher the starter configures, with the app's class path, or by hand on
 * a platform: {@code java -Dmayfly.spring.application=com.example.App -cp CLASSPATH
 * dev.mayfly.spring.MayflySpringRunner}, and for a Spring Boot executable jar {@code java
 * -Dloader.main=dev.mayfly.spring.MayflySpringRunner -Dmayfly.spring.application=com.example.App
 * -cp app.jar org.springframework.boot.loader.launch.PropertiesLauncher}.
 */
public final class MayflySpringRunner {
  /** The system property naming the app's {@code @SpringBootApplication} class. */
  public static final String APPLICATION = "mayfly.spring.application";

  /**
   * The profile runner processes add to the app's own, for settings that differ there ({@code
   * application-mayfly-runner.properties}: no schema migration, a smaller pool).
   */
  public static final String RUNNER_PROFILE = "mayfly-runner";

  /** Set in runner processes, whose app context leaves out what only the app's own nodes use. */
  static final String RUNNER_PROCESS = "mayfly.runner.process";

  private static final String BOOT_LAUNCHER =
      "org.springframework.boot.loader.launch.PropertiesLauncher";

  private MayflySpringRunner() {}

  public static void main(String[] args) {
    int code;
    String app = System.getProperty(APPLICATION);
    if (app == null || app.isBlank()) {
      // no app to boot: the job classes run on their own, as with RunnerMain
      code = RunnerMain.run(System.getenv(), true);
    } else {
      code = runInApp(app.trim(), args);
    }
    System.out.flush();
    System.exit(code);
  }

  private static int runInApp(String app, String[] args) {
    Class<?> source;
    try {
      source = Class.forName(app, false, Thread.currentThread().getContextClassLoader());
    } catch (ClassNotFoundException e) {
      System.err.println(
          "mayfly runner: the app class "
              + app
              + " ("
              + APPLICATION
              + ") is not on the class path; set mayfly.runner.application to the app's"
              + " @SpringBootApplication class");
      return 2;
    }
    SpringApplication spring = new SpringApplication(source);
    spring.setWebApplicationType(WebApplicationType.NONE);
    spring.setLazyInitialization(true);
    spring.setBannerMode(Banner.Mode.OFF);
    spring.setLogStartupInfo(false); // the runner says it started; the host name lookup costs
    spring.setAdditionalProfiles(RUNNER_PROFILE);
    spring.setRegisterShutdownHook(false); // the runner's own hook ends its job first
    List<String> withOurs = new ArrayList<>(List.of(args));
    withOurs.add("--mayfly.dispatcher.enabled=false");
    withOurs.add("--" + RUNNER_PROCESS + "=true"); // no meters or health: nothing reads them
    ConfigurableApplicationContext context;
    try {
      context = spring.run(withOurs.toArray(String[]::new));
    } catch (RuntimeException e) {
      System.err.println("mayfly runner: the app " + app + " did not start: " + e);
      e.printStackTrace();
      return 1;
    }
    try (context) {
      JobInstances instances = BeanJobs.instances(context.getBeanFactory());
      String training = System.getProperty(LocalOptions.TRAINING_PROPERTY);
      if (training != null) {
        // the start-up cache's training run: the app's start is most of what there is to record
        return RunnerTraining.train(Path.of(training), instances);
      }
      return RunnerMain.run(
          System.getenv(), true, SystemTime.clock(), SystemTime.ticker(), instances);
    } catch (Exception e) {
      System.err.println("mayfly runner: " + e);
      e.printStackTrace();
      return 1;
    }
  }

  /**
   * How the local launcher starts this main class with the running app's class path: directly for a
   * class path of folders and jars, through Spring Boot's launcher for an executable jar (whose
   * dependencies are nested in it). The app's active profiles go with it, as profiles given on the
   * app's command line would not otherwise reach its runners.
   */
  static LocalOptions localOptions(@Nullable String application, List<String> activeProfiles) {
    LocalOptions defaults = LocalOptions.defaults();
    List<String> jvm = new ArrayList<>(defaults.jvmOptions());
    if (application != null) {
      jvm.add("-D" + APPLICATION + "=" + application);
    }
    if (!activeProfiles.isEmpty()) {
      jvm.add("-Dspring.profiles.active=" + String.join(",", activeProfiles));
    }
    if (isBootJar(defaults.classPath())) {
      jvm.add("-Dloader.main=" + MayflySpringRunner.class.getName());
      return defaults.withJvmOptions(jvm).withMainClass(BOOT_LAUNCHER);
    }
    return defaults.withJvmOptions(jvm).withMainClass(MayflySpringRunner.class.getName());
  }

  /** A single jar whose manifest names a {@code Start-Class}: a Spring Boot executable jar. */
  static boolean isBootJar(String classPath) {
    if (classPath.contains(java.io.File.pathSeparator) || !classPath.endsWith(".jar")) {
      return false;
    }
    Path jar = Path.of(classPath);
    if (!Files.isRegularFile(jar)) {
      return false;
    }
    try (JarFile f = new JarFile(jar.toFile())) {
      var manifest = f.getManifest();
      return manifest != null && manifest.getMainAttributes().getValue("Start-Class") != null;
    } catch (IOException e) {
      return false;
    }
  }
}
