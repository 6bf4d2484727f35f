package dev.mayfly.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** `mayfly ARGS` as a separate JVM on the test's class path, as a user would run it. */
final class CliProcess {
  private CliProcess() {}

  /** A builder for the command; its output goes to {@code log}. */
  static ProcessBuilder of(Path log, String... args) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
  }
}
