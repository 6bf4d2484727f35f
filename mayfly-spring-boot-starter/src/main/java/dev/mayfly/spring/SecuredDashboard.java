package dev.mayfly.spring;

import dev.mayfly.Mayfly;
import dev.mayfly.dashboard.Dashboard;
import dev.mayfly.dashboard.DashboardSettings;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServlet;
import java.io.IOException;
import org.jspecify.annotations.Nullable;
import org.springframework.security.web.csrf.CsrfToken;

/**
 * The dashboard behind the app's Spring Security. Its filter chain runs before any servlet, so by
 * the time a request gets here the app has decided who may see {@code /mayfly/**}; the dashboard
 * then asks only for a logged-in user (and {@code mayfly.dashboard.role}). Spring's CSRF filter
 * also guards the dashboard's actions, so its token for the request, which the filter left in a
 * request attribute, is handed to the page, which sends it beside the dashboard's own.
 */
final class SecuredDashboard extends HttpServlet {
  private static final long serialVersionUID = 1L;

  private final transient Servlet dashboard;

  private SecuredDashboard(Servlet dashboard) {
    this.dashboard = dashboard;
  }

  static Servlet of(Mayfly mayfly, DashboardSettings settings, @Nullable String role) {
    return new SecuredDashboard(Dashboard.servletBehindAppSecurity(mayfly, settings, role));
  }

  @Override
  public void init(ServletConfig config) throws ServletException {
    super.init(config);
    dashboard.init(config);
  }

  @Override
  public void service(ServletRequest req, ServletResponse res)
      throws ServletException, IOException {
    // with CSRF protection off in the app, there is none: the dashboard's own rule still holds
    if (req.getAttribute(CsrfToken.class.getName()) instanceof CsrfToken token) {
      req.setAttribute(Dashboard.APP_CSRF_HEADER, token.getHeaderName());
      req.setAttribute(Dashboard.APP_CSRF_TOKEN, token.getToken());
    }
    dashboard.service(req, res);
  }

  @Override
  public void destroy() {
    dashboard.destroy();
  }
}
