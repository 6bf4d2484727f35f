package dev.mayfly.launch.local;

import dev.mayfly.internal.time.SystemTime;
import dev.mayfly.protocol.RunnerEnvironment;
import dev.mayfly.store.sqlite.SqliteNative;
import java.io.File;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import org.jspecify.annotations.Nullable;

/**
 * What makes a runner JVM start fast, kept in a folder and reused by every launch: a JDK AOT cache
 * (JDK 25 and later) or an AppCDS archive (JDK 21 to 24) of the classes a runner loads, and
 * sqlite-jdbc's native library extracted once ({@link SqliteNative}).
 *
 * <p>The rules that keep a cache from ever doing harm:
 *
 * <ol>
 *   <li>A cache is named by a key made of the JDK build (its {@code release} file and {@code
 *       libjvm}), every class-path entry (path, size, modification time) and the JVM options. Any
 *       change gives another key, so a stale cache is never used; it is simply not found.
 *   <li>The JVM takes a cache only of JAR files: with a folder on the class path (a build's {@code
 *       target/classes}) there is no cache, and launches go on as before.
 *   <li>A cache is built by a training run, {@code RunnerTraining}, which drains a few no-op jobs
 *       through a scratch SQLite store with the runner's own options: on first use by a builder
 *       process of its own (this class's {@code main}), which finishes even when the app that asked
 *       exits first, or ahead of time ({@code mayfly aot}); one build per key at a time, by a file
 *       lock. It is written under a temporary name with its CRC-32 beside it, then renamed into
 *       place, and the folder keeps only the newest few caches.
 *   <li>Before its first use by this process, a cache is checked against its CRC-32 (the JVM can
 *       crash on a damaged one). A cache that fails is deleted and built again; meanwhile launches
 *       go without.
 *   <li>Launches that use a cache turn the JVM's cache logging off, so a cache the JVM still turns
 *       down for a reason of its own costs start-up time, never a warning in the runner's output.
 * </ol>
 */
final class StartupCache {
  private static final System.Logger LOG = System.getLogger("dev.mayfly.launch.local");
  private static final String TRAINING_MAIN = RunnerEnvironment.TRAINING_MAIN_CLASS;
  private static final String TRAINING_DATABASE = RunnerEnvironment.TRAINING_DATABASE_URL;
  private static final String OUTPUT = "{OUTPUT}";
  private static final String SCRATCH = "{SCRATCH}";
  private static final Duration TRAINING_TIMEOUT = Duration.ofMinutes(3);
  private static final Pattern JAVA_VERSION = Pattern.compile("JAVA_VERSION=\"(\\d+)");

  enum Mode {
    /** {@code -XX:AOTCacheOutput} to build, {@code -XX:AOTCache} to use: JDK 25 and later. */
    AOT,
    /** {@code -XX:ArchiveClassesAtExit} to build, {@code -XX:SharedArchiveFile} to use. */
    APPCDS,
    NONE
  }

  private final LocalOptions options;
  private final Mode mode;
  private final int feature;
  private final @Nullable String whyNone;
  private final Path file;

  /** The {@code -D} options that make sqlite-jdbc load its library extracted once. */
  private final List<String> nativeLibraryOptions;

  private final @Nullable String postgresUrl;
  private final AtomicBoolean builderStarted = new AtomicBoolean();
  private volatile long verifiedStamp = -1;

  /**
   * @param forced the kind of cache to keep, or null for the one the runner's JDK supports best
   * @param postgresUrl the database runners open when it is PostgreSQL, for the training run to
   *     connect to (its runners load the PostgreSQL driver and pool); null for SQLite
   */
  StartupCache(
      Path dir, LocalOptions options, @Nullable Mode forced, @Nullable String postgresUrl) {
    this.options = options;
    this.postgresUrl = postgresUrl;
    List<String> nativeOptions = new ArrayList<>();
    new TreeMap<>(SqliteNative.extractedTo(dir))
        .forEach((k, v) -> nativeOptions.add("-D" + k + "=" + v));
    this.nativeLibraryOptions = List.copyOf(nativeOptions);
    int f = featureVersion(options.javaBinary());
    this.feature = f;
    String problem = classPathProblem(options.classPath());
    if (f < 21) {
      problem = "the runner's JDK is not 21 or later";
    }
    this.whyNone = problem;
    this.mode =
        problem != null ? Mode.NONE : forced != null ? forced : f >= 25 ? Mode.AOT : Mode.APPCDS;
    this.file =
        mode == Mode.NONE
            ? dir.resolve("runner-none") // never built nor read
            : dir.resolve(
                "runner-"
                    + key()
                    + (postgresUrl != null ? "-postgresql" : "")
                    + (mode == Mode.AOT ? ".aot" : ".jsa"));
  }

  Mode mode() {
    return mode;
  }

  /** The cache file (which may not exist yet; never built when the mode is {@code NONE}). */
  Path file() {
    return file;
  }

  /** Why there is no cache for these options, or null if there can be one. */
  @Nullable String whyNone() {
    return whyNone;
  }

  /**
   * The JVM options for a launch now: the native library's properties, and the cache if a sound one
   * is there. Starts building the cache in the background when it is missing or was damaged.
   */
  List<String> launchOptions() {
    List<String> flags = new ArrayList<>(nativeLibraryOptions);
    if (mode == Mode.NONE) {
      return flags;
    }
    if (sound()) {
      flags.addAll(useFlags());
    } else if (builderStarted.compareAndSet(false, true)) {
      startBuilder();
    }
    return flags;
  }

  /** Builds the cache now unless a sound one is there; true if one is there afterwards. */
  boolean build() {
    if (mode == Mode.NONE) {
      return false;
    }
    if (!sound()) {
      build(file, trainingCommand(), trainingEnv());
    }
    return sound();
  }

  private List<String> useFlags() {
    List<String> flags = new ArrayList<>();
    flags.add(
        (mode == Mode.AOT ? "-XX:AOTCache=" : "-XX:SharedArchiveFile=") + file.toAbsolutePath());
    flags.addAll(quiet());
    return flags;
  }

  /** Turns off the JVM's cache messages; the {@code aot} log tag exists from JDK 25 on. */
  private List<String> quiet() {
    return feature >= 25 ? List.of("-Xlog:cds*=off", "-Xlog:aot*=off") : List.of("-Xlog:cds*=off");
  }

  /**
   * True if the cache is there and sound; checked once per version of the file this process sees.
   */
  private boolean sound() {
    try {
      if (!Files.isRegularFile(file)) {
        return false;
      }
      long stamp = Files.size(file) * 31 + Files.getLastModifiedTime(file).toMillis();
      if (stamp == verifiedStamp) {
        return true;
      }
      if (verify(file)) {
        verifiedStamp = stamp;
        return true;
      }
      builderStarted.set(false); // it was deleted: build it again
    } catch (IOException e) {
      LOG.log(Level.DEBUG, "cannot read the runner start-up cache " + file, e);
    }
    return false;
  }

  /**
   * True if the cache file is there and matches the CRC-32 recorded when it was built. A file that
   * fails is deleted, with a warning.
   */
  static boolean verify(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      return false;
    }
    Path crcFile = crcFile(file);
    String recorded =
        Files.isRegularFile(crcFile) ? Files.readString(crcFile, StandardCharsets.UTF_8) : "";
    if (recorded.strip().equals(crc32(file))) {
      return true;
    }
    LOG.log(
        Level.WARNING,
        "runner start-up cache {0} is damaged (its checksum does not match); deleting it and"
            + " building it again. Runners start without it meanwhile.",
        file);
    Files.deleteIfExists(file);
    Files.deleteIfExists(crcFile);
    return false;
  }

  private static Path crcFile(Path file) {
    return file.resolveSibling(file.getFileName() + ".crc32");
  }

  /** The training run's command; {@code OUTPUT} and {@code SCRATCH} are filled in by the build. */
  private List<String> trainingCommand() {
    List<String> cmd = new ArrayList<>();
    cmd.add(options.javaBinary().toString());
    cmd.addAll(options.jvmOptions());
    cmd.addAll(nativeLibraryOptions);
    cmd.add((mode == Mode.AOT ? "-XX:AOTCacheOutput=" : "-XX:ArchiveClassesAtExit=") + OUTPUT);
    if (options.mainClass().equals(RunnerEnvironment.MAIN_CLASS)) {
      cmd.add("-cp");
      cmd.add(options.classPath());
      cmd.add(TRAINING_MAIN);
      cmd.add(SCRATCH);
    } else {
      // a runner that boots an app first trains through that start (LocalOptions.mainClass)
      cmd.add("-D" + LocalOptions.TRAINING_PROPERTY + "=" + SCRATCH);
      cmd.add("-cp");
      cmd.add(options.classPath());
      cmd.add(options.mainClass());
    }
    return cmd;
  }

  private Map<String, String> trainingEnv() {
    return postgresUrl != null ? Map.of(TRAINING_DATABASE, postgresUrl) : Map.of();
  }

  /**
   * Builds in a process of its own ({@link #main}), started with this JVM's java and class path
   * (which hold this class) and left to finish: the app that asked may be a {@code demo --exit} or
   * a CLI command that ends before the training run does.
   */
  private void startBuilder() {
    if (StartupCache.class.getClassLoader() != ClassLoader.getSystemClassLoader()) {
      // An app whose classes a loader of its own loads (a Spring Boot executable jar): a process
      // started with this JVM's class path would not find this class. The build runs from a thread
      // instead; the training run is still a JVM of its own, and an app that exits first leaves
      // no cache, which the next start builds again.
      Thread builder =
          new Thread(() -> build(file, trainingCommand(), trainingEnv()), "mayfly-startup-cache");
      builder.setDaemon(true);
      builder.setPriority(Thread.MIN_PRIORITY);
      builder.start();
      return;
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(LocalOptions.currentJava().toString());
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(StartupCache.class.getName());
    cmd.add(file.toAbsolutePath().toString());
    cmd.addAll(trainingCommand());
    try {
      ProcessBuilder pb =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD);
      pb.environment().putAll(trainingEnv()); // a database URL is never put on a command line
      pb.start();
    } catch (IOException e) {
      LOG.log(Level.WARNING, "cannot start building the runner start-up cache " + file, e);
    }
  }

  /** The builder process: {@code StartupCache FILE TRAINING_COMMAND...}; exit code 0 if built. */
  public static void main(String[] args) {
    if (args.length < 2) {
      System.err.println("usage: StartupCache FILE TRAINING_COMMAND...");
      System.exit(2);
    }
    List<String> command = List.of(args).subList(1, args.length);
    System.exit(build(Path.of(args[0]), command, System.getenv()) ? 0 : 1);
  }

  /**
   * One training run into a temporary file, renamed into place with its CRC-32 if it worked, then
   * the folder pruned. One builder per cache at a time, by a file lock; false if the cache is not
   * there afterwards.
   */
  static boolean build(Path file, List<String> trainingCommand, Map<String, String> env) {
    LongSupplier ticker = SystemTime.ticker(); // for the log line: how long building took
    long started = ticker.getAsLong();
    Path dir =
        Objects.requireNonNull(file.toAbsolutePath().getParent(), "a cache file is in a folder");
    Path log = file.resolveSibling(file.getFileName() + ".log");
    try {
      Files.createDirectories(dir);
      Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
      try (FileChannel channel =
              FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock lock = channel.tryLock()) {
        if (lock == null) {
          return false; // another process is building it
        }
        if (verify(file)) {
          return true; // built while we waited for the lock
        }
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        Files.delete(tmp); // the JVM writes it; an empty file would be read as a damaged cache
        Path scratch = Files.createTempDirectory(dir, "training");
        List<String> cmd = new ArrayList<>();
        for (String arg : trainingCommand) {
          cmd.add(
              arg.replace(OUTPUT, tmp.toAbsolutePath().toString())
                  .replace(SCRATCH, scratch.toString()));
        }
        ProcessBuilder pb =
            new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        if (env.containsKey(TRAINING_DATABASE)) {
          pb.environment().put(TRAINING_DATABASE, env.get(TRAINING_DATABASE));
        }
        Process p = pb.start();
        boolean done = p.waitFor(TRAINING_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        if (!done) {
          p.destroyForcibly();
        }
        deleteTree(scratch);
        if (!done || p.exitValue() != 0 || !Files.isRegularFile(tmp) || Files.size(tmp) == 0) {
          Files.deleteIfExists(tmp);
          LOG.log(
              Level.WARNING,
              "building the runner start-up cache failed ({0}; see {1}); runners start without"
                  + " it",
              done ? "exit code " + p.exitValue() : "no end after " + TRAINING_TIMEOUT,
              log);
          return false;
        }
        Files.writeString(crcFile(file), crc32(tmp), StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        prune(dir, file);
        LOG.log(
            Level.INFO,
            "built the runner start-up cache {0} ({1} MB) in {2} ms",
            file,
            Files.size(file) / 1_000_000,
            (ticker.getAsLong() - started) / 1_000_000);
        return true;
      }
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.WARNING, "building the runner start-up cache failed; runners start without", e);
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Caches kept in the folder: every rebuilt jar makes a new one of some 30 MB. */
  static final int KEEP = 4;

  /**
   * Deletes all but the {@link #KEEP} newest caches of the folder (with their checksums, logs and
   * locks). One still in use elsewhere is then built again by whoever needs it.
   */
  private static void prune(Path dir, Path file) {
    try (var files = Files.list(dir)) {
      List<Path> caches =
          files
              .filter(p -> p.getFileName().toString().matches("runner-.*\\.(aot|jsa)"))
              .sorted(
                  java.util.Comparator.comparing(
                          (Path p) -> {
                            try {
                              return Files.getLastModifiedTime(p);
                            } catch (IOException e) {
                              return java.nio.file.attribute.FileTime.fromMillis(0);
                            }
                          })
                      .reversed())
              .toList();
      for (Path old : caches.subList(Math.min(KEEP, caches.size()), caches.size())) {
        if (old.equals(file)) {
          continue;
        }
        for (String suffix : List.of("", ".crc32", ".log", ".lock")) {
          Files.deleteIfExists(old.resolveSibling(old.getFileName() + suffix));
        }
      }
    } catch (IOException e) {
      LOG.log(Level.DEBUG, "pruning old runner start-up caches failed", e);
    }
  }

  private String key() {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      Path home = javaHome(options.javaBinary());
      sha.update(mode.name().getBytes(StandardCharsets.UTF_8));
      sha.update(read(home.resolve("release")));
      Path libjvm = home.resolve("lib").resolve("server").resolve("libjvm.so");
      sha.update(stamp(libjvm).getBytes(StandardCharsets.UTF_8));
      sha.update(String.join("\u0000", options.jvmOptions()).getBytes(StandardCharsets.UTF_8));
      sha.update(String.join("\u0000", nativeLibraryOptions).getBytes(StandardCharsets.UTF_8));
      for (String entry : options.classPath().split(File.pathSeparator)) {
        sha.update(stamp(Path.of(entry)).getBytes(StandardCharsets.UTF_8));
      }
      return HexFormat.of().formatHex(sha.digest(), 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Why this class path can have no cache, or null: the JVM takes JAR files only. */
  private static @Nullable String classPathProblem(String classPath) {
    if (classPath == null || classPath.isBlank()) {
      return "the class path is empty";
    }
    for (String entry : classPath.split(File.pathSeparator)) {
      Path p = Path.of(entry);
      if (!Files.isRegularFile(p)) {
        return "the class path has "
            + entry
            + ", which is not a JAR file; a start-up cache needs JAR files only";
      }
    }
    return null;
  }

  private static String stamp(Path p) {
    try {
      return p.toAbsolutePath()
          + "|"
          + Files.size(p)
          + "|"
          + Files.getLastModifiedTime(p).toMillis()
          + "\n";
    } catch (IOException e) {
      return p.toAbsolutePath() + "|missing\n";
    }
  }

  private static byte[] read(Path p) {
    try {
      return Files.readAllBytes(p);
    } catch (IOException e) {
      return new byte[0];
    }
  }

  private static Path javaHome(Path javaBinary) {
    try {
      Path bin = javaBinary.toRealPath().getParent();
      Path home = bin == null ? null : bin.getParent();
      if (home != null) {
        return home;
      }
    } catch (IOException e) {
      // not there: fall back to this JVM's
    }
    return Path.of(System.getProperty("java.home"));
  }

  /**
   * The feature release (21, 25...) of the JDK that {@code javaBinary} belongs to; 0 if unknown.
   */
  static int featureVersion(Path javaBinary) {
    Path home = javaHome(javaBinary);
    if (home.equals(Path.of(System.getProperty("java.home")))) {
      return Runtime.version().feature();
    }
    Matcher m =
        JAVA_VERSION.matcher(new String(read(home.resolve("release")), StandardCharsets.UTF_8));
    return m.find() ? Integer.parseInt(m.group(1)) : 0;
  }

  private static String crc32(Path p) throws IOException {
    CRC32 crc = new CRC32();
    byte[] buffer = new byte[1 << 16];
    try (var in = Files.newInputStream(p)) {
      for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
        crc.update(buffer, 0, n);
      }
    }
    return Long.toHexString(crc.getValue());
  }

  private static void deleteTree(Path root) {
    try (var paths = Files.walk(root)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a scratch folder left behind costs a few bytes
    }
  }

  /**
   * Where caches live unless configured: {@code $MAYFLY_CACHE_DIR}, else the user's cache; null,
   * for no cache at all, when {@code MAYFLY_CACHE_DIR} is {@code off}.
   */
  static @Nullable Path defaultDir() {
    String configured = System.getenv("MAYFLY_CACHE_DIR");
    if (configured != null && configured.strip().equalsIgnoreCase("off")) {
      return null;
    }
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base =
        xdg != null && !xdg.isBlank()
            ? Path.of(xdg)
            : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("mayfly");
  }
}
