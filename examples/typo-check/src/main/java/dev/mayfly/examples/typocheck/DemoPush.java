package dev.mayfly.examples.typocheck;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

/**
 * The {@code demo} profile: once the web server is up, makes a sample repository and sends the app
 * the signed push webhook GitHub would send for it, so a first run has something to show. Runner
 * processes have no web server, so they never send it.
 */
@Component
@Profile("demo")
public class DemoPush implements ApplicationListener<WebServerInitializedEvent> {
  private static final Logger log = LoggerFactory.getLogger(DemoPush.class);

  private final String secret;
  private final int commits;

  public DemoPush(
      @Value("${typo-check.webhook-secret}") String secret,
      @Value("${typo-check.demo.commits:20}") int commits) {
    this.secret = secret;
    this.commits = commits;
  }

  @Override
  public void onApplicationEvent(WebServerInitializedEvent event) {
    int port = event.getWebServer().getPort();
    Thread.ofVirtual().name("demo-push").start(() -> push(port));
  }

  private void push(int port) {
    try {
      Path repo = Files.createTempDirectory("typo-check-sample-");
      var made = SampleRepository.create(repo, commits, Instant.now());
      byte[] body = SampleRepository.pushPayload("example/sample", repo.toUri().toString(), made);
      HttpRequest request =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/webhooks/github"))
              .header("Content-Type", "application/json")
              .header("X-GitHub-Event", "push")
              .header("X-Hub-Signature-256", GitHubWebhook.signature(secret, body))
              .POST(HttpRequest.BodyPublishers.ofByteArray(body))
              .build();
      try (HttpClient http = HttpClient.newHttpClient()) {
        HttpResponse<String> answer = http.send(request, HttpResponse.BodyHandlers.ofString());
        log.info(
            "demo: pushed {} commits of {} to /webhooks/github: {} {}; open http://localhost:{}/",
            made.size(),
            repo,
            answer.statusCode(),
            answer.body(),
            port);
      }
    } catch (IOException e) {
      log.error("demo: the sample push failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
