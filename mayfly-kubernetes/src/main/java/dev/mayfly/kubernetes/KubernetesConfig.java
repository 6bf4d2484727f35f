package dev.mayfly.kubernetes;

import dev.mayfly.protocol.RunnerEnvironment;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What a runner's Job is made of, read from the environment. The cluster itself (API server,
 * credentials, default namespace) comes from the in-cluster service account or {@code KUBECONFIG},
 * as fabric8's client finds them.
 *
 * <p>A kubeconfig's current context may name the image and Secret too, in an extension named
 * {@value #EXTENSION} ({@code image}, {@code secret}, {@code command}): the emulated cluster writes
 * one, so {@code KUBECONFIG} alone points Mayfly at it. The environment's variables win.
 *
 * @param image {@code MAYFLY_KUBERNETES_IMAGE}: the app's image, which holds the runner
 * @param command {@code MAYFLY_KUBERNETES_COMMAND}, split on spaces; by default Mayfly's runner on
 *     the class path of an image built by Jib ({@code /app/resources}, {@code /app/classes}, {@code
 *     /app/libs/*})
 * @param namespace {@code MAYFLY_KUBERNETES_NAMESPACE}; null for the client's own (the pod's
 *     namespace in a cluster, the context's from a kubeconfig)
 * @param secret {@code MAYFLY_KUBERNETES_SECRET}: the Secret holding the app's {@code DATABASE_URL}
 *     or {@code MAYFLY_DATABASE_URL}, given to runners through {@code envFrom}
 * @param serviceAccount {@code MAYFLY_KUBERNETES_SERVICE_ACCOUNT} for the runner pods; null for the
 *     namespace's default
 * @param requestsPerSecond {@code MAYFLY_KUBERNETES_QPS}: the launcher's requests to the API server
 *     a second (bursts of twice that), default 10 (client-go's default is 5)
 */
record KubernetesConfig(
    String image,
    List<String> command,
    @Nullable String namespace,
    @Nullable String secret,
    @Nullable String serviceAccount,
    double requestsPerSecond) {

  static final List<String> DEFAULT_COMMAND =
      List.of(
          "java",
          "-XX:TieredStopAtLevel=1",
          "-XX:+UseSerialGC",
          "-cp",
          "/app/resources:/app/classes:/app/libs/*",
          RunnerEnvironment.MAIN_CLASS);

  KubernetesConfig {
    command = List.copyOf(command);
  }

  /** The kubeconfig context extension that may name the runners' image, Secret and command. */
  static final String EXTENSION = "mayfly.dev/runner";

  /** Whether this environment asks for Kubernetes runners: an image, and a cluster to reach. */
  static boolean isConfigured(Map<String, String> env) {
    return notBlank(withKubeconfig(env).get("MAYFLY_KUBERNETES_IMAGE"))
        && (notBlank(env.get("KUBECONFIG")) || notBlank(env.get("KUBERNETES_SERVICE_HOST")));
  }

  static KubernetesConfig fromEnv(Map<String, String> given) {
    Map<String, String> env = withKubeconfig(given);
    String image = env.get("MAYFLY_KUBERNETES_IMAGE");
    if (image == null || image.isBlank()) {
      throw new IllegalArgumentException(
          "the kubernetes launcher needs MAYFLY_KUBERNETES_IMAGE: the app's image, which holds"
              + " Mayfly's runner (see docs/kubernetes.md)");
    }
    String command = env.get("MAYFLY_KUBERNETES_COMMAND");
    return new KubernetesConfig(
        image.trim(),
        command != null && !command.isBlank()
            ? Arrays.stream(command.trim().split("\\s+")).toList()
            : DEFAULT_COMMAND,
        blankToNull(env.get("MAYFLY_KUBERNETES_NAMESPACE")),
        blankToNull(env.get("MAYFLY_KUBERNETES_SECRET")),
        blankToNull(env.get("MAYFLY_KUBERNETES_SERVICE_ACCOUNT")),
        requestsPerSecond(env.get("MAYFLY_KUBERNETES_QPS")));
  }

  /**
   * {@code env} with what the {@value #EXTENSION} extension of its {@code KUBECONFIG}'s current
   * context names, where {@code env} names nothing itself. A kubeconfig that cannot be read adds
   * nothing here: the client says what is wrong with it.
   */
  static Map<String, String> withKubeconfig(Map<String, String> env) {
    String kubeconfig = env.get("KUBECONFIG");
    if (kubeconfig == null || kubeconfig.isBlank()) {
      return env;
    }
    java.io.File file = new java.io.File(kubeconfig.split(java.io.File.pathSeparator)[0].trim());
    io.fabric8.kubernetes.api.model.Config parsed;
    try (var in = new java.io.FileInputStream(file)) {
      parsed =
          io.fabric8.kubernetes.client.utils.Serialization.unmarshal(
              in, io.fabric8.kubernetes.api.model.Config.class);
    } catch (java.io.IOException | RuntimeException e) {
      return env;
    }
    if (parsed == null || parsed.getContexts() == null) {
      return env;
    }
    Map<String, String> merged = new java.util.HashMap<>(env);
    parsed.getContexts().stream()
        .filter(c -> c.getName() != null && c.getName().equals(parsed.getCurrentContext()))
        .filter(c -> c.getContext() != null && c.getContext().getExtensions() != null)
        .flatMap(c -> c.getContext().getExtensions().stream())
        .filter(x -> EXTENSION.equals(x.getName()))
        .map(x -> x.getExtension())
        // parsed as a RawExtension, which holds the object as it was written
        .map(x -> x instanceof io.fabric8.kubernetes.api.model.AnyType any ? any.getValue() : x)
        .filter(x -> x instanceof Map<?, ?>)
        .map(x -> (Map<?, ?>) x)
        .findFirst()
        .ifPresent(
            x -> {
              put(merged, "MAYFLY_KUBERNETES_IMAGE", x.get("image"));
              put(merged, "MAYFLY_KUBERNETES_SECRET", x.get("secret"));
              put(merged, "MAYFLY_KUBERNETES_COMMAND", x.get("command"));
            });
    return merged;
  }

  private static void put(Map<String, String> env, String name, @Nullable Object value) {
    if (value != null && !notBlank(env.get(name))) {
      env.put(name, value.toString());
    }
  }

  private static double requestsPerSecond(@Nullable String value) {
    if (value == null || value.isBlank()) {
      return 10;
    }
    try {
      double qps = Double.parseDouble(value.trim());
      if (qps > 0) {
        return qps;
      }
    } catch (NumberFormatException e) {
      // said below
    }
    throw new IllegalArgumentException(
        "MAYFLY_KUBERNETES_QPS must be a number of requests a second above 0, such as 10; was '"
            + value
            + "'");
  }

  /**
   * Requests and limits for a queue's {@code size}: a built-in name ({@code small}, {@code medium},
   * {@code large}, {@code xlarge}; Heroku's {@code standard-1x} and {@code standard-2x} map to
   * small and medium, so one configuration serves both platforms), or {@code cpu/memory} such as
   * {@code 500m/1Gi}. CPU is requested, not limited (a limit throttles a JVM's start-up); memory is
   * both, so the scheduler's view and the kill line agree.
   */
  static Resources resources(String size) {
    String s = size.trim().toLowerCase(Locale.ROOT);
    return switch (s) {
      case "small", "standard-1x", "basic" -> new Resources("250m", "512Mi");
      case "medium", "standard-2x" -> new Resources("500m", "1Gi");
      case "large", "performance-m" -> new Resources("1", "2Gi");
      case "xlarge", "performance-l" -> new Resources("2", "4Gi");
      default -> {
        String[] parts = size.trim().split("/");
        if (parts.length != 2
            || !QUANTITY.matcher(parts[0]).matches()
            || !QUANTITY.matcher(parts[1]).matches()) {
          throw new IllegalArgumentException(
              "size '"
                  + size
                  + "' is not a Kubernetes runner size; use small (250m CPU, 512Mi), medium (500m,"
                  + " 1Gi), large (1, 2Gi), xlarge (2, 4Gi), or cpu/memory such as 500m/1Gi");
        }
        yield new Resources(parts[0], parts[1]);
      }
    };
  }

  private static final java.util.regex.Pattern QUANTITY =
      java.util.regex.Pattern.compile("^\\d+(\\.\\d+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$");

  /** A container's CPU request and memory request and limit, as Kubernetes quantities. */
  record Resources(String cpu, String memory) {}

  private static boolean notBlank(@Nullable String s) {
    return s != null && !s.isBlank();
  }

  private static @Nullable String blankToNull(@Nullable String s) {
    return s != null && !s.isBlank() ? s.trim() : null;
  }
}
