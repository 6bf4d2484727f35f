package dev.mayfly.launch.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mayfly.api.JobInfo;
import dev.mayfly.api.JobState;
import dev.mayfly.internal.jobs.JobTypes;
import dev.mayfly.launch.LaunchRequest;
import dev.mayfly.launch.RunnerExit;
import dev.mayfly.protocol.RunnerEnvironment;
import dev.mayfly.protocol.RunnerSettings;
import dev.mayfly.runner.RunnerTraining;
import dev.mayfly.store.JobStore;
import dev.mayfly.store.NewJob;
import dev.mayfly.store.connect.JobStores;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runner start-up cache with real runner JVMs: built when missing, used when sound, passed over
 * and built anew when stale or damaged, and never a word from the JVM in a runner's output.
 */
@Tag("processes")
class StartupCacheTest {
  @TempDir Path dir;
  private Path cacheDir;
  private String classPath;
  private String db;
  private final List<LocalLauncher> launchers = new ArrayList<>();

  @BeforeEach
  void jarsOnly() throws IOException {
    cacheDir = dir.resolve("cache");
    db = "jdbc:sqlite:" + dir.resolve("jobs.db");
    // A cache takes JAR files only: this test's class path, with its folders packed into jars.
    List<String> entries = new ArrayList<>();
    int n = 0;
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path p = Path.of(entry);
      if (Files.isDirectory(p)) {
        Path jar = dir.resolve("packed-" + n++ + ".jar");
        pack(p, jar);
        entries.add(jar.toString());
      } else if (Files.isRegularFile(p)) {
        entries.add(entry);
      }
    }
    classPath = String.join(File.pathSeparator, entries);
  }

  @org.junit.jupiter.api.AfterEach
  void close() {
    launchers.forEach(LocalLauncher::close);
  }

  private LocalLauncher launcher(String cp, StartupCache.Mode mode) {
    LocalOptions options = LocalOptions.defaults().withClassPath(cp).withStartupCache(cacheDir);
    LocalLauncher l = new LocalLauncher(options, InstantSource.system(), mode);
    launchers.add(l);
    return l;
  }

  @Test
  void aMissingCacheIsBuiltInTheBackgroundAndThenUsed() throws Exception {
    LocalLauncher launcher = launcher(classPath, null);
    assertThat(cacheFlag(launcher)).as("nothing built yet").isNull();
    runOneJob(launcher); // the first launch went without, and started the training run
    await().atMost(Duration.ofMinutes(3)).until(() -> cacheFlag(launcher) != null);
    assertThat(cacheFlag(launcher)).startsWith("-XX:AOTCache=");
    runOneJob(launcher);
  }

  @Test
  void aDamagedCacheIsPassedOverDeletedAndBuiltAgain() throws Exception {
    Path cache = built(launcher(classPath, null));
    // damage its header: a JVM given this file crashes
    try (FileChannel ch = FileChannel.open(cache, StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap("garbage!garbage!".getBytes()), 100);
    }
    LocalLauncher fresh = launcher(classPath, null); // as a dispatcher started anew would
    assertThat(cacheFlag(fresh)).isNull();
    runOneJob(fresh);
    await().atMost(Duration.ofMinutes(3)).until(() -> cacheFlag(fresh) != null);
    runOneJob(fresh);
  }

  @Test
  void aCacheOfAnotherClassPathIsNeverUsed() throws Exception {
    Path cache = built(launcher(classPath, null));
    // the app's jar is rebuilt: same path, new modification time
    Path appJar = dir.resolve("packed-0.jar");
    Files.setLastModifiedTime(appJar, FileTime.from(Instant.now().plusSeconds(60)));
    LocalLauncher rebuilt = launcher(classPath, null);
    assertThat(cacheFlag(rebuilt)).isNull();
    runOneJob(rebuilt);
    await().atMost(Duration.ofMinutes(3)).until(() -> cacheFlag(rebuilt) != null);
    assertThat(cacheFlag(rebuilt)).doesNotContain(cache.toString());
  }

  @Test
  void oldCachesArePrunedWhenANewOneIsBuilt() throws Exception {
    Files.createDirectories(cacheDir);
    for (int i = 0; i < 6; i++) {
      Path stale = cacheDir.resolve("runner-old" + i + ".aot");
      Files.writeString(stale, "old");
      Files.writeString(cacheDir.resolve("runner-old" + i + ".aot.crc32"), "0");
      Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minusSeconds(3600 + i)));
    }
    Path cache = built(launcher(classPath, null));
    try (var files = Files.list(cacheDir)) {
      assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".aot")))
          .hasSize(StartupCache.KEEP)
          .contains(cache.getFileName().toString(), "runner-old0.aot", "runner-old1.aot")
          .doesNotContain("runner-old5.aot");
    }
    assertThat(cacheDir.resolve("runner-old5.aot.crc32")).doesNotExist();
  }

  @Test
  void anAppCdsArchiveServesJdksWithoutTheAotCache() throws Exception {
    LocalLauncher launcher = launcher(classPath, StartupCache.Mode.APPCDS);
    built(launcher);
    assertThat(cacheFlag(launcher)).startsWith("-XX:SharedArchiveFile=");
    runOneJob(launcher);
  }

  @Test
  void aClassPathWithFoldersHasNoCacheAndLaunchesAsBefore() throws Exception {
    String withFolder = classPath + File.pathSeparator + dir.resolve("classes");
    Files.createDirectories(dir.resolve("classes"));
    LocalLauncher launcher = launcher(withFolder, null);
    assertThat(launcher.buildStartupCache()).contains("not a JAR file");
    runOneJob(launcher);
    assertThat(cacheFlag(launcher)).isNull();
    assertThat(launcher.command()).anyMatch(a -> a.startsWith("-Dorg.sqlite.lib.path="));
  }

  /**
   * A main class that starts an app before it runs as a runner (what {@code MayflySpringRunner}
   * does) trains the cache through that start: the training run is that main class, told so by a
   * system property, and launches use the cache it built.
   */
  @Test
  void aRunnerMainThatStartsAnAppFirstTrainsThroughItsOwnStart() throws Exception {
    Path marker = dir.resolve("app-started-for-training");
    LocalOptions options =
        LocalOptions.defaults()
            .withClassPath(classPath)
            .withStartupCache(cacheDir)
            .withMainClass(AppFirstMain.class.getName());
    options =
        options.withJvmOptions(
            java.util.stream.Stream.concat(
                    options.jvmOptions().stream(), Stream.of("-Dtest.marker=" + marker))
                .toList());
    LocalLauncher launcher = new LocalLauncher(options, InstantSource.system(), null);
    launchers.add(launcher);
    built(launcher);
    assertThat(marker).as("the training run went through the app's start").exists();
    runOneJob(launcher);
  }

  /** Starts "an app" (writes a marker when training), then trains or runs as RunnerMain does. */
  public static final class AppFirstMain {
    public static void main(String[] args) throws Exception {
      String training = System.getProperty(LocalOptions.TRAINING_PROPERTY);
      if (training == null) {
        System.exit(dev.mayfly.runner.RunnerMain.run(System.getenv(), true));
      }
      Files.writeString(Path.of(System.getProperty("test.marker")), "trained");
      System.exit(
          RunnerTraining.train(
              Path.of(training), dev.mayfly.internal.jobs.JobInstances.CONSTRUCTOR));
    }
  }

  /** Builds the cache in the foreground and returns its file. */
  private static Path built(LocalLauncher launcher) {
    String what = launcher.buildStartupCache();
    assertThat(cacheFlag(launcher)).as(what).isNotNull();
    String flag = cacheFlag(launcher);
    return Path.of(flag.substring(flag.indexOf('=') + 1));
  }

  private static String cacheFlag(LocalLauncher launcher) {
    return launcher.command().stream()
        .filter(a -> a.startsWith("-XX:AOTCache=") || a.startsWith("-XX:SharedArchiveFile="))
        .findFirst()
        .orElse(null);
  }

  /** A real runner JVM drains one job; its output holds nothing but the runner's own lines. */
  private void runOneJob(LocalLauncher launcher) throws Exception {
    JobTypes types = JobTypes.of(List.of(RunnerTraining.Noop.class));
    long id;
    String runnerId;
    Instant now = Instant.now();
    try (JobStore store = JobStores.open(db)) {
      id =
          store
              .intake()
              .enqueue(
                  new NewJob(
                      "mayfly-training", "q", "{\"n\": 1}", 0, now, Duration.ofMinutes(1), 1, now));
      // as the dispatcher does: a runner reports in only under a row reserved for it
      runnerId =
          store
              .fleet()
              .reserveRunners(new dev.mayfly.store.NewRunner("q", "local", null, now), 1, 1)
              .getFirst();
    }
    RunnerSettings settings =
        new RunnerSettings(
            runnerId,
            "q",
            db,
            types.encode(),
            0,
            Duration.ZERO,
            now.plus(Duration.ofMinutes(5)),
            Duration.ofMillis(100),
            Duration.ofSeconds(30),
            Duration.ofSeconds(5),
            1,
            true);
    List<String> output = new CopyOnWriteArrayList<>();
    RunnerExit exit =
        launcher
            .launch(
                new LaunchRequest(
                    runnerId,
                    "q",
                    RunnerEnvironment.encode(settings, true),
                    Duration.ofMinutes(5),
                    "standard-1x",
                    output::add,
                    null))
            .exit()
            .get(2, TimeUnit.MINUTES);
    assertThat(exit.exitCode()).as("output: %s", output).isZero();
    try (JobStore store = JobStores.open(db)) {
      JobInfo job = store.reads().job(id, Instant.now()).orElseThrow();
      assertThat(job.state()).isEqualTo(JobState.SUCCEEDED);
    }
    assertThat(output)
        .as("what the runner printed")
        .contains("training job 1 printed this")
        // no line of the JVM's own logging ("[0.012s][error][aot] ..."), nor any warning
        .noneMatch(l -> l.matches("^\\[[0-9.]+s\\].*") || l.contains("[aot]"))
        .noneMatch(
            l -> l.contains("[cds]") || l.toLowerCase(java.util.Locale.ROOT).contains("warning"));
  }

  private static void pack(Path folder, Path jar) throws IOException {
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(file);
        var paths = Files.walk(folder)) {
      for (Path p : (Iterable<Path>) paths.sorted()::iterator) {
        if (Files.isRegularFile(p)) {
          out.putNextEntry(new ZipEntry(folder.relativize(p).toString().replace('\\', '/')));
          Files.copy(p, out);
          out.closeEntry();
        }
      }
    }
  }
}
