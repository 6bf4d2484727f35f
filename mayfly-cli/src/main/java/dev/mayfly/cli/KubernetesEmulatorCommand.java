package dev.mayfly.cli;

import dev.mayfly.kubernetes.emulator.KubernetesEmulator;
import dev.mayfly.launch.local.LocalOptions;
import dev.mayfly.protocol.DatabaseUrl;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "kubernetes-emulator",
    description =
        "Serve a local emulation of a Kubernetes API server with a Job controller and a kubelet"
            + " that runs each pod as a local process, for trying the Kubernetes launcher without"
            + " a cluster.")
final class KubernetesEmulatorCommand implements Callable<Integer> {
  static final String IMAGE = "mayfly-runner:emulated";
  static final String SECRET = "mayfly-db";

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--port",
      defaultValue = "6443",
      description = "Port on 127.0.0.1, 0 for any free one (default: ${DEFAULT-VALUE})")
  int port;

  @Option(
      names = "--kubeconfig",
      paramLabel = "FILE",
      description =
          "Where to write the kubeconfig that points at it (default: mayfly-emulator/kubeconfig"
              + " in the temporary folder)")
  @Nullable Path kubeconfig;

  @Option(
      names = "--namespace",
      defaultValue = "mayfly",
      description = "The kubeconfig context's namespace (default: ${DEFAULT-VALUE})")
  String namespace;

  @Option(
      names = "--db",
      paramLabel = "URL",
      description =
          "The database URL put in the Secret "
              + SECRET
              + ": the store pods use (default: as the"
              + " CLI's)")
  @Nullable String db;

  @Override
  public Integer call() throws Exception {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--port must be 0 to 65535");
    }
    if (!namespace.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
      throw new IllegalArgumentException(
          "--namespace '"
              + namespace
              + "' is not a Kubernetes name: lowercase letters, digits and '-', at most 63");
    }
    String url =
        DatabaseUrl.normalize(
            db != null
                ? db
                : System.getenv()
                    .getOrDefault("MAYFLY_DATABASE_URL", System.getenv("DATABASE_URL")));
    Path config =
        kubeconfig != null
            ? kubeconfig
            : Path.of(System.getProperty("java.io.tmpdir"), "mayfly-emulator", "kubeconfig");
    // Netty (under fabric8's mock server) would use sun.misc.Unsafe, which JDK 24+ warns about
    // on the console; it works without.
    System.setProperty("io.netty.noUnsafe", "true");
    // The image's content, as it were: a runner JVM with the class path local runners get.
    LocalOptions local = LocalOptions.defaults();
    List<String> runner = new ArrayList<>();
    runner.add(local.javaBinary().toString());
    runner.addAll(local.jvmOptions());
    runner.addAll(List.of("-cp", local.classPath(), local.mainClass()));
    try (KubernetesEmulator cluster = KubernetesEmulator.start(port).image(IMAGE, runner)) {
      cluster.secret(namespace, SECRET, Map.of("MAYFLY_DATABASE_URL", url));
      // the kubeconfig last: a client that finds it finds the Secret and the image too
      cluster.writeKubeconfig(config, namespace, Map.of("image", IMAGE, "secret", SECRET));
      PrintWriter out = spec.commandLine().getOut();
      out.printf(
          "Kubernetes API emulator on %s, namespace %s; kubeconfig %s.%n"
              + "Pods of image %s run a local Mayfly runner; the Secret %s holds"
              + " MAYFLY_DATABASE_URL=%s.%nTry, in another terminal:%n"
              + "  KUBECONFIG=%s ./mayfly demo --exit%n"
              + "(the kubeconfig names the image and the Secret for Mayfly).%n"
              + "and, with kubectl: kubectl --kubeconfig %s get jobs,pods%n"
              + "Ctrl-C to stop.%n",
          cluster.url(), namespace, config, IMAGE, SECRET, DatabaseUrl.redact(url), config, config);
      out.flush();
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime()
          .addShutdownHook(new Thread(stopped::countDown, "kubernetes-emulator-stop"));
      stopped.await();
    }
    return 0;
  }
}
