package dev.mayfly.heroku;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * How to reach the Heroku Platform API, read from the environment the Heroku way.
 *
 * @param apiUrl {@code HEROKU_API_URL}, default {@code https://api.heroku.com}
 * @param apiKey {@code HEROKU_API_KEY}; never logged, never stored, never shown
 * @param app {@code HEROKU_APP_NAME}, else {@code HEROKU_APP_ID}
 * @param command what a dyno runs unless a queue says otherwise: {@code MAYFLY_HEROKU_COMMAND},
 *     default {@value #DEFAULT_COMMAND}, a Procfile process type (see docs/heroku.md)
 * @param output {@code MAYFLY_HEROKU_OUTPUT}: how each dyno's output reaches the store, see {@link
 *     Output}
 * @param trustedCert {@code MAYFLY_HEROKU_TRUSTED_CERT}: a PEM file trusted for Rendezvous TLS
 *     instead of the JDK's trust store
 * @param onDyno whether this process runs on a Heroku dyno ({@code DYNO} is set)
 */
record HerokuConfig(
    URI apiUrl,
    String apiKey,
    String app,
    String command,
    Output output,
    @Nullable Path trustedCert,
    boolean onDyno) {

  public static final String DEFAULT_COMMAND = "runner";

  /** How a dyno's output reaches its runner's output and its jobs' logs. */
  enum Output {
    /**
     * The default: detached dynos, followed through a log session (one API call each, then a stream
     * from Logplex). A dyno outlives the process that launched it.
     */
    LOGS,
    /**
     * Attached over Rendezvous: output and exit status without the log's delay, but Heroku ends an
     * attached dyno when its client goes, so a restart of the launching dyno kills its runners.
     */
    ATTACH,
    /** Detached and not followed: output only in {@code heroku logs}. */
    NONE
  }

  boolean attach() {
    return output == Output.ATTACH;
  }

  public static boolean isConfigured(Map<String, String> env) {
    return notBlank(env.get("HEROKU_API_KEY"))
        && (notBlank(env.get("HEROKU_APP_NAME")) || notBlank(env.get("HEROKU_APP_ID")));
  }

  public static HerokuConfig fromEnv(Map<String, String> env) {
    String key = env.get("HEROKU_API_KEY");
    String name = env.get("HEROKU_APP_NAME");
    String app = notBlank(name) ? name : env.get("HEROKU_APP_ID");
    if (key == null || key.isBlank() || app == null || app.isBlank()) {
      throw new IllegalArgumentException(
          "the heroku launcher needs HEROKU_API_KEY and HEROKU_APP_NAME (or HEROKU_APP_ID) in the"
              + " environment; create a key with 'heroku authorizations:create'");
    }
    String url = env.getOrDefault("HEROKU_API_URL", "https://api.heroku.com").trim();
    URI api;
    try {
      api = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("HEROKU_API_URL is not a URL: " + url, e);
    }
    String command = env.get("MAYFLY_HEROKU_COMMAND");
    String cert = env.get("MAYFLY_HEROKU_TRUSTED_CERT");
    return new HerokuConfig(
        api,
        key.trim(),
        app.trim(),
        command != null && !command.isBlank() ? command : DEFAULT_COMMAND,
        output(env),
        cert != null && !cert.isBlank() ? Path.of(cert) : null,
        env.containsKey("DYNO"));
  }

  private static Output output(Map<String, String> env) {
    String value = env.get("MAYFLY_HEROKU_OUTPUT");
    if (value == null || value.isBlank()) {
      // the older switch, still honoured
      return Boolean.parseBoolean(env.get("MAYFLY_HEROKU_ATTACH")) ? Output.ATTACH : Output.LOGS;
    }
    try {
      return Output.valueOf(value.trim().toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "MAYFLY_HEROKU_OUTPUT is '"
              + value
              + "'; use logs (the default: follow each dyno's log), attach or none",
          e);
    }
  }

  private static boolean notBlank(@Nullable String s) {
    return s != null && !s.isBlank();
  }

  @Override
  public String toString() { // the key stays out of every log line
    return "HerokuConfig[apiUrl="
        + apiUrl
        + ", app="
        + app
        + ", command="
        + command
        + ", output="
        + output
        + "]";
  }
}
