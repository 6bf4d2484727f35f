package dev.mayfly.dashboard;

import dev.mayfly.Mayfly;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Handler;
import io.javalin.http.servlet.JavalinServlet;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The web dashboard: pages for queues, jobs, runners, schedules and cost, the JSON API they use
 * ({@code docs/api.md}), and Prometheus metrics at {@code /metrics}. Static assets come from this
 * jar; there is nothing to build.
 *
 * <p>Run it on its own port inside any app ({@link #start}), as {@code mayfly serve} does, or add
 * it to an app's own Javalin under a path ({@link #mount}), or serve it from an app's servlet
 * container ({@link #servlet}, {@link #servletBehindAppSecurity}).
 */
public final class Dashboard implements AutoCloseable {
  /** Request attribute: the name of the header the app's own CSRF token goes in. */
  public static final String APP_CSRF_HEADER = "dev.mayfly.dashboard.appCsrfHeader";

  /** Request attribute: the app's own CSRF token for this request. */
  public static final String APP_CSRF_TOKEN = "dev.mayfly.dashboard.appCsrfToken";

  private static final System.Logger LOG = System.getLogger("dev.mayfly.dashboard");
  private static final String ASSETS = "/dev/mayfly/dashboard/assets/";
  private static final Map<String, String> TYPES =
      Map.of("app.js", "text/javascript; charset=utf-8", "app.css", "text/css; charset=utf-8");
  private static final String[] PAGES = {
    "/", "/jobs", "/jobs/{id}", "/runners", "/runners/{id}", "/schedules", "/cost"
  };

  private final Javalin server;
  private final URI url;
  private final MayflyMetrics metrics;

  private Dashboard(Javalin server, URI url, MayflyMetrics metrics) {
    this.server = server;
    this.url = url;
    this.metrics = metrics;
  }

  /**
   * Serves the dashboard on {@code settings.bind()}:{@code settings.port()}.
   *
   * @throws IllegalStateException if the address is not loopback and no credentials are set
   */
  public static Dashboard start(Mayfly mayfly, DashboardSettings settings) {
    settings.checkExposure(settings.bind());
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    MayflyMetrics metrics = MayflyMetrics.bind(mayfly, registry);
    Javalin server =
        javalin(
            mayfly,
            settings,
            metrics,
            registry,
            jetty -> {
              jetty.host = settings.bind();
              jetty.port = settings.port();
            });
    server.start();
    String host = settings.bind().contains(":") ? "[" + settings.bind() + "]" : settings.bind();
    URI url = URI.create("http://" + host + ":" + server.port() + settings.basePath() + "/");
    LOG.log(Level.INFO, "dashboard at {0} ({1})", url, settings);
    return new Dashboard(server, url, metrics);
  }

  /**
   * Adds the dashboard to an app's own Javalin, under {@code settings.basePath()} (such as {@code
   * /mayfly}). Call it inside {@code Javalin.create(config -> ...)} after setting {@code
   * config.jetty.host}: the same rule applies as for {@link #start}, so an app listening beyond
   * loopback must give the dashboard credentials. Metrics go to {@code registry}.
   */
  public static void mount(
      JavalinConfig config,
      Mayfly mayfly,
      DashboardSettings settings,
      PrometheusMeterRegistry registry) {
    settings.checkExposure(config.jetty.host);
    routes(
        config,
        mayfly,
        settings,
        new Access(settings),
        MayflyMetrics.bind(mayfly, registry),
        registry);
  }

  /**
   * The dashboard as a servlet, for an app whose own server serves it: map it at {@code
   * settings.basePath() + "/*"} (the Spring Boot starter maps it at {@code /mayfly}). The same
   * rules apply as for {@link #start}: without credentials it answers only requests addressed to
   * localhost. Its {@code /metrics} come from a registry of its own.
   */
  public static jakarta.servlet.Servlet servlet(Mayfly mayfly, DashboardSettings settings) {
    return servlet(mayfly, settings, new Access(settings));
  }

  /**
   * The dashboard as a servlet behind the app's own security (Spring Security in the starter):
   * Mayfly's credentials and localhost rule give way to the app's login, and a request must come
   * with a user the app logged in ({@code HttpServletRequest.getUserPrincipal()}), who has {@code
   * role} if it is not null. The dashboard's CSRF rule stays. If the app has a CSRF token of its
   * own for the request, put its header name and value in the request attributes {@link
   * #APP_CSRF_HEADER} and {@link #APP_CSRF_TOKEN}: the page then sends it with every action too.
   */
  public static jakarta.servlet.Servlet servletBehindAppSecurity(
      Mayfly mayfly, DashboardSettings settings, @Nullable String role) {
    return servlet(mayfly, settings, Access.behindApp(settings, role));
  }

  private static jakarta.servlet.Servlet servlet(
      Mayfly mayfly, DashboardSettings settings, Access access) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    MayflyMetrics metrics = MayflyMetrics.bind(mayfly, registry);
    Javalin app =
        Javalin.create(
            config -> {
              config.startup.showJavalinBanner = false;
              config.startup.showOldJavalinVersionWarning = false;
              routes(config, mayfly, settings, access, metrics, registry);
            });
    // The plain servlet: javalinServlet() is Jetty's WebSocket-upgrading one, which runs only
    // inside Jetty; the dashboard uses no WebSockets.
    return new JavalinServlet(app.unsafe);
  }

  private static Javalin javalin(
      Mayfly mayfly,
      DashboardSettings settings,
      MayflyMetrics metrics,
      PrometheusMeterRegistry registry,
      java.util.function.Consumer<io.javalin.config.JettyConfig> jetty) {
    return Javalin.create(
        config -> {
          config.startup.showJavalinBanner = false;
          config.startup.showOldJavalinVersionWarning = false;
          jetty.accept(config.jetty);
          routes(config, mayfly, settings, new Access(settings), metrics, registry);
        });
  }

  private static void routes(
      JavalinConfig config,
      Mayfly mayfly,
      DashboardSettings settings,
      Access access,
      MayflyMetrics metrics,
      PrometheusMeterRegistry registry) {
    String base = settings.basePath();
    Api api = new Api(mayfly);
    var r = config.routes;
    r.before(base + "/*", access::check);
    String shell = shell(base, access.csrfToken());
    Handler page =
        ctx ->
            ctx.html(
                shell
                    .replace("{{app-csrf-header}}", attribute(ctx, APP_CSRF_HEADER))
                    .replace("{{app-csrf-token}}", attribute(ctx, APP_CSRF_TOKEN)));
    if (!base.isEmpty()) {
      r.before(base, access::check);
      // Javalin takes /mayfly and /mayfly/ for one path; the page needs the slash (its assets
      // are under it), so only the bare one is sent there.
      r.get(
          base,
          ctx -> {
            if (ctx.req().getRequestURI().endsWith("/")) {
              page.handle(ctx);
            } else {
              ctx.redirect(base + "/");
            }
          });
    }
    for (String p : PAGES) {
      if (base.isEmpty() || !p.equals("/")) {
        r.get(base + p, page);
      }
    }
    Map<String, byte[]> assets =
        Map.of("app.js", resource("app.js"), "app.css", resource("app.css"));
    r.get(
        base + "/assets/{name}",
        ctx -> {
          String name = ctx.pathParam("name");
          byte[] body = assets.get(name);
          if (body == null) {
            throw new DashboardException(404, "no such asset");
          }
          ctx.header("Cache-Control", "no-cache");
          ctx.contentType(TYPES.getOrDefault(name, "application/octet-stream")).result(body);
        });
    r.get(base + "/api/overview", api::overview);
    r.get(base + "/api/queues", api::queues);
    r.get(base + "/api/jobs", api::jobs);
    r.get(base + "/api/jobs/{id}", api::job);
    r.post(base + "/api/jobs/retry-dead", api::retryDead);
    r.post(base + "/api/jobs/{id}/retry", api::retry);
    r.post(base + "/api/jobs/{id}/cancel", api::cancel);
    r.get(base + "/api/runners", api::runners);
    r.get(base + "/api/runners/{id}", api::runner);
    r.get(base + "/api/runners/{id}/output", api::runnerOutput);
    r.get(base + "/api/cost", api::cost);
    r.get(base + "/api/schedules", api::schedules);
    r.post(base + "/api/schedules/{name}/run", api::runSchedule);
    r.post(base + "/api/schedules/{name}/pause", api::pauseSchedule);
    r.post(base + "/api/schedules/{name}/resume", api::resumeSchedule);
    r.get(
        base + "/metrics",
        ctx -> {
          metrics.refresh();
          ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(registry.scrape());
        });
    r.exception(
        DashboardException.class,
        (e, ctx) -> {
          ctx.status(e.status);
          Api.json(ctx, Map.of("error", e.getMessage()));
        });
  }

  /** A request attribute the app set, escaped for an HTML attribute; empty when unset. */
  private static String attribute(io.javalin.http.Context ctx, String name) {
    Object v = ctx.req().getAttribute(name);
    if (v == null) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    for (char c : v.toString().toCharArray()) {
      switch (c) {
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  /**
   * The one HTML page every route serves; app.js draws the page for the path. The base path and the
   * CSRF tokens are the only values put into it, and none comes from a user.
   */
  private static String shell(String base, String csrf) {
    return new String(resource("index.html"), StandardCharsets.UTF_8)
        .replace("{{base}}", base)
        .replace("{{csrf}}", csrf);
  }

  private static byte[] resource(String name) {
    try (InputStream in = Dashboard.class.getResourceAsStream(ASSETS + name)) {
      if (in == null) {
        throw new IllegalStateException("the dashboard's " + name + " is missing from its jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Where the dashboard is, such as {@code http://127.0.0.1:7070/}. */
  public URI url() {
    return url;
  }

  /** The meters the dashboard serves. */
  public MayflyMetrics metrics() {
    return metrics;
  }

  @Override
  public void close() {
    server.stop();
  }
}
