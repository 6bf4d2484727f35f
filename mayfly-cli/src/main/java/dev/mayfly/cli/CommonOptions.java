package dev.mayfly.cli;

import dev.mayfly.Mayfly;
import dev.mayfly.MayflyConfig;
import dev.mayfly.QueueConfig;
import dev.mayfly.cli.demo.AnalyseCommit;
import dev.mayfly.cli.examples.FailJob;
import dev.mayfly.cli.examples.SleepJob;
import dev.mayfly.internal.PropertiesFile;
import dev.mayfly.store.NoStoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** Options every command takes: where the store is and where the configuration file is. */
final class CommonOptions {
  static final Path DEFAULT_CONFIG = Path.of("mayfly.properties");

  @Option(
      names = "--db",
      paramLabel = "URL",
      description =
          "The store: a file path or jdbc:sqlite:PATH (SQLite), or PostgreSQL as"
              + " postgres://USER:PASSWORD@HOST:PORT/DB (postgresql:// too, as Heroku gives it) or"
              + " jdbc:postgresql://HOST:PORT/DB?user=USER. Default: $MAYFLY_DATABASE_URL, then"
              + " $DATABASE_URL, then .mayfly/mayfly.db")
  @Nullable String db;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "Configuration file (default: ./mayfly.properties if present)")
  @Nullable Path config;

  /** The builder with the built-in job types, the file's settings and {@code --db}. */
  MayflyConfig.Builder builder() {
    MayflyConfig.Builder b =
        MayflyConfig.builder()
            .database(db)
            .jobs(AnalyseCommit.class, SleepJob.class, FailJob.class);
    Path file = config != null ? config : (Files.exists(DEFAULT_CONFIG) ? DEFAULT_CONFIG : null);
    if (file != null) {
      Properties p;
      try {
        p = PropertiesFile.read(file); // refuses a key set twice, naming both lines
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read configuration file " + file + ": " + e);
      }
      b.properties(p, file.toString());
    }
    return b;
  }

  /** The error for a job id that is not in the store. */
  static IllegalArgumentException noSuchJob(long id) {
    return new IllegalArgumentException("there is no job " + id + "; list jobs with: mayfly jobs");
  }

  Mayfly open() {
    return Mayfly.create(builder().build());
  }

  /**
   * Opens the store only if it is there, for the commands that read or manage what is stored: a
   * mistyped {@code --db} is reported, not made into an empty store.
   */
  Mayfly openExisting() {
    MayflyConfig config = builder().build();
    try {
      return Mayfly.openExisting(config);
    } catch (NoStoreException e) {
      throw new IllegalArgumentException(
          e.getMessage()
              + "; run `mayfly serve` or `mayfly enqueue` first to make one, or check --db (or"
              + " MAYFLY_DATABASE_URL, DATABASE_URL)",
          e);
    }
  }

  /**
   * Applies {@code --max-runners} / {@code --jobs-per-runner} to one queue, or to every queue when
   * none is named.
   */
  static MayflyConfig withOverrides(
      MayflyConfig.Builder b,
      @Nullable String queue,
      @Nullable Integer maxRunners,
      @Nullable Integer jobsPerRunner) {
    UnaryOperator<QueueConfig> apply =
        q -> {
          QueueConfig r = q;
          if (maxRunners != null) {
            r = r.maxRunners(maxRunners);
          }
          if (jobsPerRunner != null) {
            r = r.jobsPerRunner(jobsPerRunner);
          }
          return r;
        };
    MayflyConfig base = b.build();
    if (queue != null) {
      return b.queue(apply.apply(base.queue(queue))).build();
    }
    b.defaults(apply.apply(base.defaults()));
    base.queues().values().forEach(q -> b.queue(apply.apply(q)));
    return b.build();
  }
}
