package dev.mayfly.examples.typocheck;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The output of an app process started by a test or a benchmark. */
final class AppOutput {
  private static final Pattern PORT = Pattern.compile("Tomcat started on port (\\d+)");

  private AppOutput() {}

  /**
   * Copies the app's output to {@code log} as it comes, and returns the port its server took, read
   * from its own log line (the app is started on port 0, so no two runs ever want the same one).
   */
  static int followToPort(Process app, Path log) {
    CompletableFuture<Integer> port = new CompletableFuture<>();
    Thread.ofVirtual()
        .start(
            () -> {
              try (BufferedReader out =
                      new BufferedReader(
                          new InputStreamReader(app.getInputStream(), StandardCharsets.UTF_8));
                  PrintStream copy =
                      new PrintStream(Files.newOutputStream(log), true, StandardCharsets.UTF_8)) {
                for (String line; (line = out.readLine()) != null; ) {
                  copy.println(line);
                  Matcher m = PORT.matcher(line);
                  if (m.find()) {
                    port.complete(Integer.parseInt(m.group(1)));
                  }
                }
              } catch (IOException e) {
                // the app was stopped: its output ends here
              } finally {
                port.completeExceptionally(
                    new IllegalStateException(
                        "the app ended before its server started; see " + log));
              }
            });
    return port.orTimeout(3, TimeUnit.MINUTES).join();
  }
}
