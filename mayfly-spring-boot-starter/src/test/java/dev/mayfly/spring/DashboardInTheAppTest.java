package dev.mayfly.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mayfly.Mayfly;
import dev.mayfly.api.JobState;
import dev.mayfly.spring.sample.GreetJob;
import dev.mayfly.spring.sample.SampleApp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The dashboard served by the app's own server (Tomcat, through Spring MVC's servlet container)
 * under /mayfly, keeping Mayfly's rules: only localhost without credentials, and the CSRF token for
 * actions. Real HTTP over real sockets.
 */
class DashboardInTheAppTest {
  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void theDashboardLivesUnderTheAppsPathWithMayflysRules() throws Exception {
    SpringApplication app = new SpringApplication(SampleApp.class);
    app.setWebApplicationType(WebApplicationType.SERVLET);
    try (ConfigurableApplicationContext context =
        app.run(
            "--server.port=0",
            "--server.address=127.0.0.1",
            "--spring.datasource.url=jdbc:sqlite:" + dir.resolve("web.db"),
            "--mayfly.dispatcher.enabled=false",
            // an app without Spring Security (the tests have it on their class path)
            "--spring.autoconfigure.exclude="
                + "org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration,"
                + "org.springframework.boot.security.autoconfigure.web.servlet"
                + ".ServletWebSecurityAutoConfiguration,"
                + "org.springframework.boot.security.autoconfigure.web.servlet"
                + ".SecurityFilterAutoConfiguration,"
                + "org.springframework.boot.security.autoconfigure"
                + ".UserDetailsServiceAutoConfiguration")) {
      int port = ((WebServerApplicationContext) context).getWebServer().getPort();
      String base = "http://localhost:" + port + "/mayfly/";
      Mayfly mayfly = context.getBean(Mayfly.class);
      long id = mayfly.enqueue(GreetJob.class, new GreetJob.Args("Ada"));

      HttpResponse<String> page = get(base);
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.body()).contains("<meta name=\"mayfly-base\" content=\"/mayfly\">");
      assertThat(get(base + "assets/app.js").statusCode()).isEqualTo(200);
      assertThat(get(base + "api/jobs/" + id).body()).contains("\"type\":\"greet\"");

      // Actions need the page's CSRF token.
      assertThat(post(base + "api/jobs/" + id + "/cancel", null).statusCode()).isEqualTo(403);
      assertThat(mayfly.admin().job(id).orElseThrow().state()).isEqualTo(JobState.QUEUED);
      Matcher csrf =
          Pattern.compile("name=\"mayfly-csrf\" content=\"([^\"]+)\"").matcher(page.body());
      assertThat(csrf.find()).isTrue();
      assertThat(post(base + "api/jobs/" + id + "/cancel", csrf.group(1)).statusCode())
          .isEqualTo(200);
      assertThat(mayfly.admin().job(id).orElseThrow().state()).isEqualTo(JobState.CANCELLED);

      // Without credentials, a request addressed to another host is refused (DNS rebinding).
      assertThat(RawHttp.get(port, "/mayfly/api/overview", "evil.example"))
          .startsWith("HTTP/1.1 403");
    }
  }

  private HttpResponse<String> get(String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String url, String csrf) throws Exception {
    var b = HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.noBody());
    if (csrf != null) {
      b.header("X-CSRF-Token", csrf);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
