package dev.mayfly.cli;

import dev.mayfly.heroku.emulator.HerokuEmulator;
import dev.mayfly.launch.local.LocalOptions;
import dev.mayfly.protocol.DatabaseUrl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "heroku-emulator",
    description =
        "Serve a local emulation of Heroku's dyno API that really runs each dyno as a local"
            + " process, for trying the Heroku launcher without an account.")
final class HerokuEmulatorCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--port",
      defaultValue = "5050",
      description = "Port on 127.0.0.1 (default: ${DEFAULT-VALUE})")
  int port;

  @Option(
      names = "--app",
      defaultValue = "mayfly-demo",
      description = "App name (default: ${DEFAULT-VALUE})")
  String app;

  @Option(
      names = "--max-dynos",
      defaultValue = "50",
      description =
          "Concurrent one-off dynos allowed of one size, within Heroku's own limit for the size"
              + " (default: ${DEFAULT-VALUE}, as Heroku's Standard)")
  int maxDynos;

  @Option(
      names = "--fault-rate",
      defaultValue = "0",
      description = "Share of dyno creations answered with 429, 503, 409 or 422 (0 to 1)")
  double faultRate;

  @Option(
      names = "--db",
      paramLabel = "URL",
      description =
          "The app's DATABASE_URL config var: the store dynos use (default: as the CLI's)")
  @Nullable String db;

  @Option(
      names = "--procfile",
      paramLabel = "FILE",
      description =
          "The app's Procfile: dynos run its process types in its folder, as Heroku runs them in"
              + " the slug (default: a 'runner' type that starts Mayfly's own runner)")
  @Nullable Path procfile;

  @Override
  public Integer call() throws Exception {
    if (maxDynos < 1 || faultRate < 0 || faultRate > 1 || port < 0 || port > 65535) {
      throw new IllegalArgumentException(
          "--max-dynos must be at least 1, --fault-rate 0 to 1, --port 0 to 65535");
    }
    Map<String, String> processTypes;
    if (procfile != null) {
      if (!Files.isRegularFile(procfile)) {
        throw new IllegalArgumentException("--procfile " + procfile + ": no such file");
      }
      try {
        processTypes = HerokuEmulator.procfile(procfile);
      } catch (IOException e) {
        throw new IllegalArgumentException("--procfile " + e.getMessage(), e);
      }
    } else {
      // dynos run the runner as local runners do, on the runners' class path
      processTypes =
          HerokuEmulator.runnerProcfile(
              LocalOptions.defaults().javaBinary(), LocalOptions.defaults().classPath());
    }
    // The emulated app's config vars: this environment, plus the store Mayfly uses here.
    Map<String, String> configVars = new HashMap<>(System.getenv());
    String url =
        db != null
            ? db
            : configVars.getOrDefault("MAYFLY_DATABASE_URL", configVars.get("DATABASE_URL"));
    configVars.put("MAYFLY_DATABASE_URL", DatabaseUrl.normalize(url));
    var out = spec.commandLine().getOut();
    try (HerokuEmulator emulator =
        HerokuEmulator.start(
            port,
            new HerokuEmulator.Options(
                app,
                maxDynos,
                faultRate,
                ThreadLocalRandom.current().nextLong(), // the faults' seed: new on every start
                configVars,
                processTypes,
                Duration.ofSeconds(30),
                System.out))) {
      if (procfile != null) {
        emulator.slug(procfile.toAbsolutePath().getParent());
      }
      // made now, so its path can be given to clients before the first attached dyno
      Path certificate = emulator.rendezvousCertificate();
      out.printf(
          "Heroku API emulator for app %s on %s (at most %d dynos of a size, fault rate %.2f).%n"
              + "Dynos run %s, with"
              + " MAYFLY_DATABASE_URL=%s.%nTry, in another terminal:%n"
              + "  HEROKU_API_URL=%s HEROKU_API_KEY=any HEROKU_APP_NAME=%s ./mayfly demo --exit%n"
              + "or Heroku's own CLI (npm install -g heroku):%n"
              + "  export HEROKU_HOST=%s HEROKU_API_KEY=any NODE_EXTRA_CA_CERTS=%s%n"
              + "  heroku run --app %s -- echo hello; heroku ps --app %s; heroku logs --app %s%n"
              + "Attached dynos are served over TLS with the certificate %s.%n"
              + "Ctrl-C to stop.%n",
          app,
          emulator.uri(),
          maxDynos,
          faultRate,
          procfile == null
              ? "the Procfile type 'runner' as a local Mayfly runner"
              : "the process types of "
                  + procfile
                  + " ("
                  + String.join(", ", processTypes.keySet())
                  + ")",
          DatabaseUrl.redact(configVars.get("MAYFLY_DATABASE_URL")),
          emulator.uri(),
          app,
          emulator.uri(),
          certificate,
          app,
          app,
          app,
          certificate);
      out.flush();
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown, "heroku-emulator-stop"));
      stopped.await();
    }
    return 0;
  }
}
