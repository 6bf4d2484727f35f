package dev.mayfly.launch.local;

import dev.mayfly.protocol.RunnerEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * How the local launcher starts a runner JVM.
 *
 * @param mainClass the runner's main class: {@value RunnerEnvironment#MAIN_CLASS}, or one that
 *     starts the app first ({@code MayflySpringRunner}). Any other main class must also do the
 *     start-up cache's training run when given the system property {@value #TRAINING_PROPERTY} (a
 *     scratch folder): start as it starts for a runner, then call {@code RunnerTraining.train}
 * @param jvmOptions by default C1 only and the serial collector: a short-lived runner finishes
 *     sooner without the optimising compiler warming up or parallel GC threads starting
 * @param startupCache the folder for the runner's start-up cache (a JDK AOT cache or AppCDS
 *     archive, and SQLite's native library), built on first use; null for none. By default {@code
 *     $MAYFLY_CACHE_DIR}, else {@code ~/.cache/mayfly}; none when {@code MAYFLY_CACHE_DIR=off}
 */
public record LocalOptions(
    Path javaBinary,
    List<String> jvmOptions,
    String classPath,
    String mainClass,
    Duration stopGrace,
    @Nullable Path startupCache) {

  /** Set (to a scratch folder) in the training run of a main class other than RunnerMain. */
  public static final String TRAINING_PROPERTY = "mayfly.runner.training";

  public LocalOptions {
    jvmOptions = List.copyOf(jvmOptions);
  }

  /** Names the class path runners get when it is not this JVM's own (see {@link #defaults}). */
  public static final String CLASS_PATH_PROPERTY = "mayfly.runner.class.path";

  /**
   * The running JVM's own java binary and class path: runners run the app's code. A launcher script
   * whose JVM carries more than runners need (Mayfly's CLI with its Kubernetes libraries) names the
   * runners' class path in the system property {@value #CLASS_PATH_PROPERTY} instead, so they do
   * not pay to open jars they never use.
   */
  public static LocalOptions defaults() {
    return new LocalOptions(
        currentJava(),
        List.of(
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-XX:-UsePerfData",
            "--enable-native-access=ALL-UNNAMED"), // SQLite's JNI library, without a warning
        runnerClassPath(),
        RunnerEnvironment.MAIN_CLASS,
        LocalLauncher.defaultStopGrace(),
        StartupCache.defaultDir());
  }

  public LocalOptions withJavaBinary(Path java) {
    return new LocalOptions(java, jvmOptions, classPath, mainClass, stopGrace, startupCache);
  }

  public LocalOptions withJvmOptions(List<String> options) {
    return new LocalOptions(javaBinary, options, classPath, mainClass, stopGrace, startupCache);
  }

  public LocalOptions withClassPath(String cp) {
    return new LocalOptions(javaBinary, jvmOptions, cp, mainClass, stopGrace, startupCache);
  }

  public LocalOptions withMainClass(String main) {
    return new LocalOptions(javaBinary, jvmOptions, classPath, main, stopGrace, startupCache);
  }

  public LocalOptions withStopGrace(Duration grace) {
    return new LocalOptions(javaBinary, jvmOptions, classPath, mainClass, grace, startupCache);
  }

  /** Keeps the start-up cache in {@code dir}, or uses none when it is null. */
  public LocalOptions withStartupCache(@Nullable Path dir) {
    return new LocalOptions(javaBinary, jvmOptions, classPath, mainClass, stopGrace, dir);
  }

  /**
   * {@value #CLASS_PATH_PROPERTY}, else {@code java.class.path}. A {@code folder/*} entry becomes
   * the folder's jars, as {@code java -cp} expands it, since the start-up cache takes jar files
   * only.
   */
  static String runnerClassPath() {
    String named = System.getProperty(CLASS_PATH_PROPERTY);
    if (named == null || named.isBlank()) {
      return System.getProperty("java.class.path");
    }
    List<String> entries = new java.util.ArrayList<>();
    for (String entry : named.split(java.io.File.pathSeparator)) {
      if (entry.equals("*") || entry.endsWith(java.io.File.separator + "*")) {
        Path folder = Path.of(entry.substring(0, entry.length() - 1) + ".");
        try (var jars = Files.list(folder)) {
          jars.map(Path::toString)
              .filter(f -> f.endsWith(".jar") || f.endsWith(".JAR"))
              .map(f -> Path.of(f).normalize().toString())
              .sorted()
              .forEach(entries::add);
        } catch (java.io.IOException e) {
          // a missing folder adds nothing, as for java -cp
        }
      } else {
        entries.add(entry);
      }
    }
    return String.join(java.io.File.pathSeparator, entries);
  }

  static Path currentJava() {
    Path fromHome = Path.of(System.getProperty("java.home"), "bin", "java");
    if (Files.isExecutable(fromHome)) {
      return fromHome;
    }
    return ProcessHandle.current().info().command().map(Path::of).orElse(Path.of("java"));
  }
}
