package dev.mayfly.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.mayfly.Mayfly;
import dev.mayfly.MayflyConfig;
import dev.mayfly.QueueConfig;
import dev.mayfly.api.EnqueueOptions;
import dev.mayfly.api.JobState;
import dev.mayfly.api.RunnerFilter;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real headless Chromium (Debian's chromium and chromium-driver, which .ci/run
 * installs), against runners that are real OS processes. Screenshots of each page go to
 * target/screenshots.
 */
@Tag("browser")
class DashboardBrowserTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Path SHOTS = Path.of("target", "screenshots");

  @TempDir Path dir;
  private Mayfly mayfly;
  private Dashboard dashboard;
  private WebDriver browser;
  private WebDriverWait wait;

  @BeforeEach
  void start() throws Exception {
    boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    if (!installed && "true".equals(System.getenv("CI"))) {
      throw new IllegalStateException(
          "CI needs Debian's chromium and chromium-driver: apt-get install chromium chromium-driver");
    }
    Assumptions.assumeTrue(
        installed, "no /usr/bin/chromium + chromedriver: apt-get install chromium chromium-driver");
    Files.createDirectories(SHOTS);
    mayfly =
        Mayfly.create(
                MayflyConfig.builder()
                    .database(dir.resolve("m.db").toString())
                    .environment(Map.of())
                    .jobs(TestJobs.Nap.class, TestJobs.FailOnce.class)
                    .defaults(
                        QueueConfig.defaults("default")
                            .launcher("local")
                            .maxRunners(2)
                            .jobsPerRunner(4)
                            .idleExit(Duration.ofSeconds(1)))
                    .build())
            .start();
    dashboard = Dashboard.start(mayfly, DashboardSettings.defaults().withPort(0));

    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1400,1000",
        "--user-data-dir=" + Files.createTempDirectory(dir, "chromium"));
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
    browser = new ChromeDriver(service, options);
    wait = new WebDriverWait(browser, Duration.ofSeconds(60));
  }

  @AfterEach
  void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (dashboard != null) {
      dashboard.close();
    }
    if (mayfly != null) {
      mayfly.close();
    }
  }

  @Test
  void followAJobFromTheLiveOverviewRetryItWhenDeadAndSeeItSucceed() throws Exception {
    for (int i = 0; i < 8; i++) {
      mayfly.enqueue(TestJobs.Nap.class, new TestJobs.Nap.Args(1500, "nap " + i));
    }
    long failing =
        mayfly.enqueue(TestJobs.FailOnce.class, new TestJobs.FailOnce.Args("no network"));
    String hostile = "<img src=x id=injected onerror=alert(1)><script>alert(2)</script>";
    long xss = mayfly.enqueue(TestJobs.Nap.class, new TestJobs.Nap.Args(1, hostile));

    // The overview, live: runners appear while the jobs run, without reloading the page.
    browser.get(dashboard.url().toString());
    wait.until(d -> Integer.parseInt(text("running")) > 0);
    assertThat(Integer.parseInt(text("runners-alive"))).isPositive();
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("queues"), "default"));
    shot("1-overview-while-running");

    // Follow the failing job from the overview's recent jobs to its page.
    wait.until(ExpectedConditions.elementToBeClickable(By.linkText("#" + failing))).click();
    wait.until(ExpectedConditions.urlContains("/jobs/" + failing));
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("job-state"), "dead"));
    assertThat(browser.findElement(By.id("attempts")).getText())
        .contains("IllegalStateException: first attempt fails: no network")
        .contains("at dev.mayfly.dashboard.TestJobs$FailOnce.perform");
    assertThat(browser.findElement(By.id("args")).getText()).contains("\"why\": \"no network\"");
    shot("2-dead-job");

    // Retry it from the page and watch it succeed.
    browser.findElement(By.id("retry")).click();
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("flash"), "queued"));
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("job-state"), "succeeded"));
    assertThat(browser.findElement(By.id("log")).getText()).contains("attempt 2");
    assertThat(mayfly.admin().job(failing).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
    shot("3-retried-job-succeeded");

    // Cancel a job waiting for its time from its page.
    long later =
        mayfly.enqueue(
            TestJobs.Nap.class,
            new TestJobs.Nap.Args(1, "later"),
            EnqueueOptions.defaults().delay(Duration.ofHours(1)));
    browser.get(dashboard.url() + "jobs/" + later);
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("job-state"), "scheduled"));
    browser.findElement(By.id("cancel")).click();
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("job-state"), "cancelled"));

    // Retry every dead job at once from the overview.
    long another =
        mayfly.enqueue(TestJobs.FailOnce.class, new TestJobs.FailOnce.Args("still no network"));
    wait.until(d -> mayfly.admin().job(another).orElseThrow().state() == JobState.DEAD);
    browser.findElement(By.linkText("Overview")).click();
    wait.until(ExpectedConditions.elementToBeClickable(By.id("retry-dead"))).click();
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(
            By.id("flash"), "1 dead job(s) sent back to the queue"));
    wait.until(d -> mayfly.admin().job(another).orElseThrow().state() == JobState.SUCCEEDED);

    // What a job's arguments hold is shown as text, never run as markup.
    browser.get(dashboard.url() + "jobs/" + xss);
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("args"), "<img src=x"));
    assertThat(browser.findElements(By.id("injected"))).isEmpty();
    assertThrows(NoAlertPresentException.class, () -> browser.switchTo().alert());

    // Jobs, filtered by state.
    browser.get(dashboard.url() + "jobs?state=succeeded");
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("jobs"), "#" + failing));
    shot("4-jobs");

    // Runners: real processes with their pids, and one runner's output.
    wait.until(d -> mayfly.admin().runners(RunnerFilter.all().alive(true)).isEmpty());
    String runner = mayfly.admin().runners(RunnerFilter.all()).getLast().id();
    browser.findElement(By.linkText("Runners")).click();
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("runners"), runner));
    assertThat(browser.findElement(By.id("runners")).getText()).contains("local", "exited");
    shot("5-runners");
    browser.findElement(By.linkText(runner)).click();
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("output")));
    shot("6-runner-output");

    // Cost: the runners that ran, billed against always-on workers, with the chart.
    browser.findElement(By.linkText("Cost")).click();
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("cost-chart")));
    int runners = mayfly.admin().runners(RunnerFilter.all()).size();
    assertThat(text("cost-runners")).isEqualTo(Integer.toString(runners));
    assertThat(text("cost-total")).startsWith("$");
    List<WebElement> bars = browser.findElements(By.cssSelector("#cost-chart rect"));
    assertThat(bars).hasSizeGreaterThanOrEqualTo(2);
    assertThat(browser.findElement(By.id("cost-comparison")).getText())
        .contains("one-off $", "always-on $");
    assertThat(browser.findElement(By.id("cost")).getText()).contains(runner);
    shot("7-cost");
  }

  private String text(String id) {
    return browser.findElements(By.id(id)).stream()
        .findFirst()
        .map(WebElement::getText)
        .orElse("0");
  }

  private void shot(String name) throws Exception {
    File f = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
    Files.copy(f.toPath(), SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
  }
}
