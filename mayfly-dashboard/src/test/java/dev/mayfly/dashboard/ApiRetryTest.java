package dev.mayfly.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mayfly.Mayfly;
import dev.mayfly.MayflyConfig;
import dev.mayfly.api.JobState;
import dev.mayfly.internal.jobs.Json;
import dev.mayfly.store.ClaimRequest;
import dev.mayfly.store.Finish;
import dev.mayfly.store.JobStore;
import dev.mayfly.store.NewJob;
import dev.mayfly.store.connect.JobStores;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiRetryTest {
  @TempDir Path dir;

  private Mayfly sqlite() {
    return Mayfly.create(
        MayflyConfig.builder()
            .database(dir.resolve("m.db").toString())
            .environment(Map.of())
            .jobs(TestJobs.Nap.class)
            .build());
  }

  /** A job of {@code key} (none if null) that ran once and died. */
  private static long dead(JobStore store, @Nullable String key) {
    Instant now = Instant.now();
    long id =
        store
            .intake()
            .enqueue(
                new NewJob("nap", "default", "{}", 0, now, Duration.ofMinutes(1), 1, now, key));
    store
        .runnerQueue()
        .claim(new ClaimRequest("default", "r", now, Duration.ofHours(1), now.plusSeconds(30), 1))
        .getFirst();
    store.runnerQueue().finish(id, "r", new Finish.Failed(now, "boom", null));
    return id;
  }

  @Test
  void retryingAllDeadJobsAnswersWhichAUniqueKeyHeldBackAndRetryingThatOneIsAConflict()
      throws Exception {
    try (Mayfly mayfly = sqlite();
        Dashboard d = Dashboard.start(mayfly, DashboardSettings.defaults().withPort(0));
        JobStore store = JobStores.open(mayfly.config().databaseUrl())) {
      long older = dead(store, "k");
      long newer = dead(store, "k");
      long plain = dead(store, null);
      Http http = new Http(d.url());

      var all = http.post("api/jobs/retry-dead", http.csrf());

      assertThat(all.statusCode()).isEqualTo(200);
      JsonNode body = Json.mapper().readTree(all.body());
      assertThat(body.get("retried").asInt()).isEqualTo(2);
      JsonNode refused = body.get("refused").get(0);
      assertThat(body.get("refused")).hasSize(1);
      assertThat(refused.get("id").asLong()).isEqualTo(older);
      assertThat(refused.get("uniqueKey").asText()).isEqualTo("k");
      assertThat(refused.get("heldBy").asLong()).isEqualTo(newer);
      assertThat(refused.get("reason").asText())
          .isEqualTo("a live job " + newer + " holds unique key 'k'");
      assertThat(mayfly.admin().job(plain).orElseThrow().state()).isEqualTo(JobState.QUEUED);

      var one = http.post("api/jobs/" + older + "/retry", http.csrf());

      assertThat(one.statusCode()).isEqualTo(409);
      assertThat(Json.mapper().readTree(one.body()).get("error").asText())
          .contains("job " + older + " was not retried")
          .contains("a live job " + newer + " holds unique key 'k'");
      assertThat(mayfly.admin().job(older).orElseThrow().state()).isEqualTo(JobState.DEAD);
    }
  }

  @Test
  void aCostPeriodBeyondTheAcceptedRangeIsABadRequest() throws Exception {
    try (Mayfly mayfly = sqlite();
        Dashboard d = Dashboard.start(mayfly, DashboardSettings.defaults().withPort(0))) {
      Http http = new Http(d.url());
      for (String since : new String[] {"99999999999999d", "99999999999999999999999d"}) {
        var r = http.get("api/cost?since=" + since);
        assertThat(r.statusCode()).as(since).isEqualTo(400);
        assertThat(Json.mapper().readTree(r.body()).get("error").asText())
            .isEqualTo("since must be from 0 to 3650d, was '" + since + "'");
      }
      assertThat(http.get("api/cost?since=3650d").statusCode()).isEqualTo(200);
    }
  }
}
