package dev.mayfly.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command and subcommand answers {@code --help} with its usage, exit code 0. */
class HelpTest {
  @Test
  void everyCommandInTheTreeAnswersHelp() {
    List<List<String>> paths = new ArrayList<>();
    walk(new CommandLine(new Main()), new ArrayList<>(), paths);
    assertThat(paths).hasSizeGreaterThan(20);
    for (List<String> path : paths) {
      List<String> args = new ArrayList<>(path);
      args.add("--help");
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int code =
          Main.run(
              new PrintWriter(out, true), new PrintWriter(err, true), args.toArray(String[]::new));
      assertThat(code).as("mayfly %s --help: %s", String.join(" ", path), err).isZero();
      assertThat(out.toString())
          .as("mayfly %s --help", String.join(" ", path))
          .contains("Usage: mayfly" + (path.isEmpty() ? "" : " " + String.join(" ", path)));
    }
  }

  @Test
  void theDatabaseOptionNamesEveryFormItTakes() {
    StringWriter out = new StringWriter();
    Main.run(
        new PrintWriter(out, true), new PrintWriter(new StringWriter(), true), "jobs", "--help");
    assertThat(out.toString().replaceAll("\\s+", "")) // the help wraps lines anywhere
        .contains("jdbc:sqlite:PATH")
        .contains("postgres://USER:PASSWORD@HOST:PORT/DB")
        .contains("jdbc:postgresql://HOST:PORT/DB");
  }

  private static void walk(CommandLine cmd, List<String> path, List<List<String>> paths) {
    paths.add(List.copyOf(path));
    cmd.getSubcommands()
        .forEach(
            (name, sub) -> {
              if (sub.getCommandSpec().name().equals(name)) { // not an alias
                List<String> next = new ArrayList<>(path);
                next.add(name);
                walk(sub, next, paths);
              }
            });
  }
}
