package dev.mayfly.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.mayfly.Mayfly;
import dev.mayfly.MayflyConfig;
import dev.mayfly.QueueConfig;
import dev.mayfly.Schedule;
import dev.mayfly.api.EnqueueOptions;
import dev.mayfly.api.JobState;
import dev.mayfly.api.RunnerFilter;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
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

  private static final Schedule LEAP_DAY =
      Schedule.of("leap-day", "0 0 29 2 *", "nap", "{\"millis\": 1, \"note\": \"by hand\"}");

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
                    // fires on 29 February only: in this test, only by hand
                    .schedule(LEAP_DAY)
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
    // Both counters come from one read of the page, so they describe the same redraw.
    Map<String, String> cards =
        wait.until(d -> nonZero(texts("running", "runners-alive"), "running"));
    assertThat(Integer.parseInt(cards.get("runners-alive"))).isPositive();
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("queues"), "default"));
    shot("1-overview-while-running");

    // Follow the failing job from the overview's recent jobs to its page.
    click(By.linkText("#" + failing));
    wait.until(ExpectedConditions.urlContains("/jobs/" + failing));
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("job-state"), "dead"));
    assertThat(text("attempts"))
        .contains("IllegalStateException: first attempt fails: no network")
        .contains("at dev.mayfly.dashboard.TestJobs$FailOnce.perform");
    assertThat(text("args")).contains("\"why\": \"no network\"");
    shot("2-dead-job");

    // Retry it from the page and watch it succeed.
    click(By.id("retry"));
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("flash"), "queued"));
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("job-state"), "succeeded"));
    assertThat(text("log")).contains("attempt 2");
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
    click(By.id("cancel"));
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("job-state"), "cancelled"));

    // Retry every dead job at once from the overview.
    long another =
        mayfly.enqueue(TestJobs.FailOnce.class, new TestJobs.FailOnce.Args("still no network"));
    wait.until(d -> mayfly.admin().job(another).orElseThrow().state() == JobState.DEAD);
    click(By.linkText("Overview"));
    click(By.id("retry-dead"));
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

    // An older page, cut by id: only jobs before the cursor, and a way back to the newest.
    browser.get(dashboard.url() + "jobs?before=" + xss);
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("jobs"), "#" + failing));
    assertThat(text("jobs")).doesNotContain("#" + xss);
    click(By.linkText("← newest"));
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("jobs"), "#" + xss));

    // Runners: real processes with their pids, and one runner's output.
    wait.until(d -> mayfly.admin().runners(RunnerFilter.all().alive(true)).isEmpty());
    String runner = mayfly.admin().runners(RunnerFilter.all()).getLast().id();
    click(By.linkText("Runners"));
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("runners"), runner));
    assertThat(text("runners")).contains("local", "exited");
    shot("5-runners");
    // An older page of runners, cut after the newest, and back.
    String newest = mayfly.admin().runners(RunnerFilter.all()).getFirst().id();
    browser.get(dashboard.url() + "runners?before=" + newest);
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("runners"), runner));
    assertThat(text("runners")).doesNotContain(newest);
    click(By.linkText("← newest"));
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("runners"), newest));
    click(By.linkText(runner));
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("output")));
    shot("6-runner-output");

    // Cost: the runners that ran, billed against always-on workers, with the chart.
    click(By.linkText("Cost"));
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("cost-chart")));
    int runners = mayfly.admin().runners(RunnerFilter.all()).size();
    assertThat(text("cost-runners")).isEqualTo(Integer.toString(runners));
    assertThat(text("cost-total")).startsWith("$");
    Object bars =
        ((JavascriptExecutor) browser)
            .executeScript("return document.querySelectorAll('#cost-chart rect').length");
    assertThat(((Number) bars).intValue()).isGreaterThanOrEqualTo(2);
    assertThat(text("cost-comparison")).contains("one-off $", "always-on $");
    assertThat(text("cost")).contains(runner);
    shot("7-cost");
  }

  @Test
  void runPauseAndResumeASchedule() throws Exception {
    browser.get(dashboard.url().toString());
    click(By.linkText("Schedules"));
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("schedules"), "leap-day"));
    assertThat(text("schedules"))
        .contains("0 0 29 2 *", "nap", "latest", "skip", "active", "2028-02-29 00:00:00Z");

    // Run it now: the job it enqueues shows as its last job, and runs on a real runner.
    click(scheduleButton("run"));
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("flash"), "enqueued job"));
    long job = mayfly.admin().schedules().getFirst().lastJobId();
    assertThat(text("flash")).isEqualTo("schedule leap-day: enqueued job #" + job);
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("schedules"), "#" + job));
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("schedules"), "succeeded"));
    assertThat(mayfly.admin().job(job).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
    shot("8-schedules");

    // Pause, then resume: the store says so, and so does the page.
    click(scheduleButton("pause"));
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("flash"), "now paused"));
    assertThat(mayfly.admin().schedules().getFirst().paused()).isTrue();
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("schedules"), "paused"));
    click(scheduleButton("resume"));
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("flash"), "now active"));
    assertThat(mayfly.admin().schedules().getFirst().paused()).isFalse();

    // Each of those went through the CSRF rule: the same action without the token is refused.
    var refused = new Http(dashboard.url()).post("api/schedules/leap-day/pause", null);
    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(mayfly.admin().schedules().getFirst().paused()).isFalse();
  }

  private static By scheduleButton(String action) {
    return By.cssSelector("button[data-schedule='leap-day'][data-action='" + action + "']");
  }

  // The page redraws its parts every few seconds, replacing the elements whose data changed. An
  // element found in one call and read or clicked in the next may by then be gone, so every read
  // below is one script, which runs between two redraws, and every click finds its element anew.

  /** The text of the element with this id ("0" when there is none), read in one step. */
  private String text(String id) {
    return texts(id).get(id);
  }

  /** The texts of these elements, all read from the same state of the page. */
  @SuppressWarnings("unchecked")
  private Map<String, String> texts(String... ids) {
    Object read =
        ((JavascriptExecutor) browser)
            .executeScript(
                "const out = {};"
                    + " for (const id of arguments) {"
                    + "   const e = document.getElementById(id);"
                    + "   out[id] = e ? (e.innerText ?? e.textContent).trim() : '0'; }"
                    + " return out;",
                (Object[]) ids);
    return (Map<String, String>) read;
  }

  private static Map<String, String> nonZero(Map<String, String> texts, String id) {
    return Integer.parseInt(texts.get(id)) > 0 ? texts : null;
  }

  /** Clicks the element once it is there and enabled, finding it at the moment of the click. */
  private void click(By by) {
    wait.until(
        d -> {
          try {
            WebElement e = d.findElement(by);
            if (!e.isDisplayed() || !e.isEnabled()) {
              return false;
            }
            e.click();
            return true;
          } catch (NoSuchElementException | StaleElementReferenceException gone) {
            return false; // not drawn yet, or redrawn since it was found: nothing was clicked
          }
        });
  }

  private void shot(String name) throws Exception {
    File f = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
    Files.copy(f.toPath(), SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
  }
}
