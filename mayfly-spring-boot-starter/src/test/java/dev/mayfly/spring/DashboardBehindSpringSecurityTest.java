package dev.mayfly.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mayfly.Mayfly;
import dev.mayfly.api.JobState;
import dev.mayfly.spring.sample.GreetJob;
import dev.mayfly.spring.secured.SecuredSampleApp;
import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The dashboard under /mayfly of an app with Spring Security: the app's login decides who gets in,
 * Mayfly asks for the role it is told to, and an action needs both the app's CSRF token and
 * Mayfly's, which the page carries. Real HTTP over real sockets, with a session cookie as a browser
 * keeps it.
 */
class DashboardBehindSpringSecurityTest {
  @TempDir Path dir;
  private final HttpClient http =
      HttpClient.newBuilder().cookieHandler(new CookieManager()).build();

  @Test
  void theAppsSecurityLetsUsersInAndBothCsrfTokensGuardActions() throws Exception {
    try (ConfigurableApplicationContext context = bootSecuredApp()) {
      int port = ((WebServerApplicationContext) context).getWebServer().getPort();
      String base = "http://127.0.0.1:" + port + "/mayfly/";
      Mayfly mayfly = context.getBean(Mayfly.class);
      long id = mayfly.enqueue(GreetJob.class, new GreetJob.Args("Ada"));

      // who gets in: the app's login, then the role Mayfly was told to ask for
      HttpResponse<String> anonymous = send(get(base), null);
      assertThat(anonymous.statusCode())
          .as("the app's login: a challenge or its form")
          .isIn(401, 302);
      assertThat(anonymous.body()).doesNotContain("mayfly-csrf");
      HttpResponse<String> viewer = send(get(base), "viewer:viewer-pw");
      assertThat(viewer.statusCode()).isEqualTo(403);
      assertThat(viewer.body()).contains("needs the role OPS");
      HttpResponse<String> page = send(get(base), "ops:ops-pw");
      assertThat(page.statusCode()).isEqualTo(200);

      // Mayfly's own localhost rule gives way to the app's login: any Host is served
      assertThat(
              RawHttp.get(
                  port,
                  "/mayfly/api/queues",
                  "dashboard.example.com",
                  "Authorization: " + basic("ops:ops-pw")))
          .startsWith("HTTP/1.1 200");

      String mayflyToken = meta(page.body(), "mayfly-csrf");
      String appHeader = meta(page.body(), "mayfly-app-csrf-header");
      String appToken = meta(page.body(), "mayfly-app-csrf");
      assertThat(appHeader).isEqualToIgnoringCase("X-CSRF-TOKEN");
      assertThat(appToken).isNotEmpty();

      String cancel = base + "api/jobs/" + id + "/cancel";
      // Spring's CSRF filter refuses an action without its token...
      assertThat(
              send(post(cancel, Map.of("X-Mayfly-CSRF", mayflyToken)), "ops:ops-pw").statusCode())
          .isEqualTo(403);
      // ...and Mayfly one without its own
      HttpResponse<String> appTokenOnly =
          send(post(cancel, Map.of(appHeader, appToken)), "ops:ops-pw");
      assertThat(appTokenOnly.statusCode()).isEqualTo(403);
      assertThat(appTokenOnly.body()).contains("CSRF token");
      assertThat(mayfly.admin().job(id).orElseThrow().state()).isEqualTo(JobState.QUEUED);

      // as the page sends it: both
      HttpResponse<String> both =
          send(
              post(cancel, Map.of("X-Mayfly-CSRF", mayflyToken, appHeader, appToken)),
              "ops:ops-pw");
      assertThat(both.statusCode()).as(both.body()).isEqualTo(200);
      assertThat(mayfly.admin().job(id).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
    }
  }

  /**
   * The page does it as a user does, in headless Chromium: sent to the app's login form, logged in,
   * back on the job's page, a click on Cancel sends both tokens and the job is cancelled.
   */
  @Test
  void aUserCancelsAJobFromThePageInABrowser() throws Exception {
    Path chromium = Path.of("/usr/bin/chromium");
    Path chromedriver = Path.of("/usr/bin/chromedriver");
    boolean installed = Files.isExecutable(chromium) && Files.isExecutable(chromedriver);
    if (!installed && "true".equals(System.getenv("CI"))) {
      throw new IllegalStateException(
          "CI needs Debian's chromium and chromium-driver: apt-get install chromium chromium-driver");
    }
    Assumptions.assumeTrue(installed, "no /usr/bin/chromium + chromedriver");
    try (ConfigurableApplicationContext context = bootSecuredApp()) {
      int port = ((WebServerApplicationContext) context).getWebServer().getPort();
      Mayfly mayfly = context.getBean(Mayfly.class);
      long id = mayfly.enqueue(GreetJob.class, new GreetJob.Args("Ada"));

      ChromeOptions options = new ChromeOptions();
      options.setBinary(chromium.toFile());
      options.addArguments(
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--no-first-run",
          "--disable-dev-shm-usage",
          "--user-data-dir=" + Files.createTempDirectory(dir, "chromium"));
      WebDriver browser =
          new ChromeDriver(
              new ChromeDriverService.Builder()
                  .usingDriverExecutable(chromedriver.toFile())
                  .build(),
              options);
      try {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
        browser.get("http://127.0.0.1:" + port + "/mayfly/jobs/" + id);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.name("username")))
            .sendKeys("ops");
        browser.findElement(By.name("password")).sendKeys("ops-pw");
        browser.findElement(By.cssSelector("button[type=submit]")).click();
        wait.until(
            ExpectedConditions.textToBePresentInElementLocated(By.id("job-state"), "queued"));
        wait.until(ExpectedConditions.elementToBeClickable(By.id("cancel"))).click();
        wait.until(
            ExpectedConditions.textToBePresentInElementLocated(By.id("job-state"), "cancelled"));
        assertThat(mayfly.admin().job(id).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
      } finally {
        browser.quit();
      }
    }
  }

  /** The secured sample app on Tomcat, on a free port, its dashboard for users with role OPS. */
  private ConfigurableApplicationContext bootSecuredApp() {
    SpringApplication app = new SpringApplication(SecuredSampleApp.class);
    app.setWebApplicationType(WebApplicationType.SERVLET);
    return app.run(
        "--server.port=0",
        "--server.address=127.0.0.1",
        "--spring.datasource.url=jdbc:sqlite:" + dir.resolve("app.db"),
        "--mayfly.dispatcher.enabled=false",
        "--mayfly.dashboard.role=OPS");
  }

  private static HttpRequest.Builder get(String url) {
    return HttpRequest.newBuilder(URI.create(url)).GET();
  }

  private static HttpRequest.Builder post(String url, Map<String, String> headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.noBody());
    headers.forEach(b::header);
    return b;
  }

  private HttpResponse<String> send(HttpRequest.Builder request, String login)
      throws IOException, InterruptedException {
    if (login != null) {
      request.header("Authorization", basic(login));
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String basic(String login) {
    return "Basic " + Base64.getEncoder().encodeToString(login.getBytes(StandardCharsets.UTF_8));
  }

  private static String meta(String page, String name) {
    Matcher m = Pattern.compile("name=\"" + name + "\" content=\"([^\"]*)\"").matcher(page);
    assertThat(m.find()).as("meta %s in the page", name).isTrue();
    return m.group(1);
  }
}
