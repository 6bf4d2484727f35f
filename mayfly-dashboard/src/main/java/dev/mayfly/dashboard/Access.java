package dev.mayfly.dashboard;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * Who may do what, checked before every dashboard request:
 *
 * <ol>
 *   <li>Without credentials configured (loopback only), the {@code Host} header must name this
 *       machine, so a web page cannot reach the dashboard through DNS rebinding.
 *   <li>With credentials, a request must carry the API token ({@code Authorization: Bearer}) or the
 *       user name and password (basic authentication).
 *   <li>A request that changes state ({@code POST}) must carry the CSRF token, which only pages
 *       served by the dashboard can read, unless it carries the API token. So a page elsewhere that
 *       the browser visits cannot retry or cancel jobs with the user's saved login.
 * </ol>
 *
 * <p>Mounted in an app whose own security sits in front ({@link #behindApp}: Spring Security), the
 * first two give way to the app's: a request must come with a user the app logged in (the servlet
 * request's principal), with a role if one is named. The CSRF rule stays, beside the app's own.
 */
final class Access {
  static final String CSRF_HEADER = "X-CSRF-Token";

  /**
   * The header the page sends its token in: not {@link #CSRF_HEADER}, which Spring Security reads
   * for its own token ({@code X-CSRF-TOKEN}: header names ignore case), so both can be sent.
   */
  static final String MAYFLY_CSRF_HEADER = "X-Mayfly-CSRF";

  private static final String ATTR_TOKEN_AUTH = "mayfly.tokenAuth";

  private final DashboardSettings settings;
  private final String csrfToken;
  private final boolean app;
  private final @Nullable String role;

  Access(DashboardSettings settings) {
    this(settings, false, null);
  }

  private Access(DashboardSettings settings, boolean app, @Nullable String role) {
    this.settings = settings;
    this.csrfToken = deriveCsrfToken(settings);
    this.app = app;
    this.role = role;
  }

  /** The app authenticates; a user must be logged in, with {@code role} if not null. */
  static Access behindApp(DashboardSettings settings, @Nullable String role) {
    return new Access(settings, true, role == null || role.isBlank() ? null : role.trim());
  }

  /**
   * The CSRF token. Derived from the configured secret, so every app node behind one load balancer
   * accepts the same token; a random one per process when no secret is configured.
   */
  String csrfToken() {
    return csrfToken;
  }

  void check(Context ctx) {
    securityHeaders(ctx);
    if (app) {
      if (ctx.req().getUserPrincipal() == null) {
        throw new DashboardException(
            401,
            "the app's security let this request through without a logged-in user; require"
                + " authentication for the dashboard's path in the app's security configuration");
      }
      if (role != null && !ctx.req().isUserInRole(role)) {
        throw new DashboardException(
            403, "the dashboard needs the role " + role + " (mayfly.dashboard.role)");
      }
    } else if (!settings.hasCredentials()) {
      String host = hostOf(ctx.header("Host"));
      if (!(host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]"))) {
        throw new DashboardException(
            403, "the dashboard answers only to localhost; configure credentials to serve others");
      }
    } else if (!authenticated(ctx)) {
      if (settings.password() != null) {
        ctx.header("WWW-Authenticate", "Basic realm=\"Mayfly\", charset=\"UTF-8\"");
      }
      throw new DashboardException(
          401, "log in: basic authentication, or Authorization: Bearer with the API token");
    }
    if (ctx.method() == HandlerType.POST && !Boolean.TRUE.equals(ctx.attribute(ATTR_TOKEN_AUTH))) {
      String sent = ctx.header(MAYFLY_CSRF_HEADER);
      if (sent == null) {
        sent = ctx.header(CSRF_HEADER);
      }
      if (sent == null || !constantTimeEquals(sent, csrfToken)) {
        throw new DashboardException(
            403,
            "missing or wrong CSRF token: send the "
                + MAYFLY_CSRF_HEADER
                + " (or "
                + CSRF_HEADER
                + ") header with the token from the page's mayfly-csrf meta tag, or authenticate"
                + " with the API token");
      }
    }
  }

  private boolean authenticated(Context ctx) {
    String auth = ctx.header("Authorization");
    if (auth == null) {
      return false;
    }
    if (settings.apiToken() != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      if (constantTimeEquals(auth.substring(7).trim(), settings.apiToken())) {
        ctx.attribute(ATTR_TOKEN_AUTH, true);
        return true;
      }
      return false;
    }
    String username = settings.username();
    String password = settings.password();
    if (username != null && password != null && auth.regionMatches(true, 0, "Basic ", 0, 6)) {
      String decoded;
      try {
        decoded =
            new String(
                Base64.getDecoder().decode(auth.substring(6).trim()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return false;
      }
      int colon = decoded.indexOf(':');
      // '&', not '&&': both comparisons always run, so timing does not tell which one failed.
      return colon >= 0
          && constantTimeEquals(decoded.substring(0, colon), username)
              & constantTimeEquals(decoded.substring(colon + 1), password);
    }
    return false;
  }

  private static void securityHeaders(Context ctx) {
    ctx.header(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'");
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("Referrer-Policy", "no-referrer");
    ctx.header("X-Frame-Options", "DENY");
    ctx.header("Cache-Control", "no-store");
  }

  private static String hostOf(@Nullable String hostHeader) {
    if (hostHeader == null) {
      return "";
    }
    String h = hostHeader.trim().toLowerCase(Locale.ROOT);
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      return end < 0 ? h : h.substring(0, end + 1);
    }
    int colon = h.indexOf(':');
    return colon < 0 ? h : h.substring(0, colon);
  }

  private static boolean constantTimeEquals(String a, String b) {
    return MessageDigest.isEqual(
        a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  private static String deriveCsrfToken(DashboardSettings s) {
    byte[] key;
    if (s.hasCredentials()) {
      String secret = (s.password() == null ? "" : s.password()) + "\0" + s.apiToken();
      key = secret.getBytes(StandardCharsets.UTF_8);
    } else {
      key = new byte[32];
      new SecureRandom().nextBytes(key);
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return HexFormat.of()
          .formatHex(mac.doFinal("mayfly-csrf-v1".getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
    }
  }
}
