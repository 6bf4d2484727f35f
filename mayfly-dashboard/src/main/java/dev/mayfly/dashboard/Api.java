package dev.mayfly.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.mayfly.Admin;
import dev.mayfly.Mayfly;
import dev.mayfly.api.JobFilter;
import dev.mayfly.api.JobState;
import dev.mayfly.api.QueueCounts;
import dev.mayfly.api.RunnerFilter;
import dev.mayfly.api.ScheduleInfo;
import dev.mayfly.internal.Durations;
import dev.mayfly.internal.jobs.Json;
import dev.mayfly.protocol.DatabaseUrl;
import dev.mayfly.store.KeyHeldException;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The JSON API under {@code /api}, documented in {@code docs/api.md}. Everything comes from {@link
 * Admin}, so the field names are those of the CLI's {@code --json}.
 */
final class Api {
  private static final int MAX_LIMIT = 1000;

  private final Mayfly mayfly;
  private final Admin admin;

  Api(Mayfly mayfly) {
    this.mayfly = mayfly;
    this.admin = mayfly.admin();
  }

  void overview(Context ctx) {
    List<QueueCounts> queues = admin.queues();
    Map<String, Long> finished = admin.finishedLastMinute();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("queues", queues);
    body.put("runnersAlive", queues.stream().mapToInt(QueueCounts::runnersAlive).sum());
    body.put("jobsPerMinute", finished.values().stream().mapToLong(Long::longValue).sum());
    body.put("jobsPerMinuteByQueue", finished);
    body.put("database", DatabaseUrl.redact(mayfly.config().databaseUrl()));
    body.put("jobTypes", mayfly.jobTypes());
    body.put("at", admin.now());
    json(ctx, body);
  }

  void queues(Context ctx) {
    json(ctx, admin.queues());
  }

  void jobs(Context ctx) {
    JobFilter f = JobFilter.all().limit(limit(ctx, 100));
    String state = ctx.queryParam("state");
    if (state != null && !state.isBlank()) {
      try {
        f = f.state(JobState.parse(state));
      } catch (IllegalArgumentException e) {
        throw new DashboardException(400, "state: " + e.getMessage());
      }
    }
    f = f.queue(blankToNull(ctx.queryParam("queue"))).type(blankToNull(ctx.queryParam("type")));
    String before = blankToNull(ctx.queryParam("before"));
    if (before != null) {
      try {
        f = f.before(Long.parseLong(before));
      } catch (NumberFormatException e) {
        throw new DashboardException(
            400,
            "before must be a job id (the last id of the previous page), was '" + before + "'");
      }
    }
    json(ctx, admin.jobs(f));
  }

  void job(Context ctx) {
    long id = id(ctx);
    json(ctx, admin.jobDetail(id).orElseThrow(() -> noSuchJob(id)));
  }

  void retry(Context ctx) {
    long id = id(ctx);
    try {
      json(ctx, admin.retry(id).orElseThrow(() -> noSuchJob(id)));
    } catch (KeyHeldException | dev.mayfly.api.InvalidJobException e) {
      // a live job holds its key, or no runner of its queue may take it now
      throw new DashboardException(409, String.valueOf(e.getMessage()));
    }
  }

  void cancel(Context ctx) {
    long id = id(ctx);
    json(ctx, admin.cancel(id).orElseThrow(() -> noSuchJob(id)));
  }

  void retryDead(Context ctx) {
    json(ctx, admin.retryDead()); // those a live job's unique key holds back are listed
  }

  void runners(Context ctx) {
    RunnerFilter f = RunnerFilter.all().queue(blankToNull(ctx.queryParam("queue")));
    f = f.limit(limit(ctx, 100));
    String alive = ctx.queryParam("alive");
    if (alive != null && !alive.isBlank()) {
      if (!alive.equals("true") && !alive.equals("false")) {
        throw new DashboardException(400, "alive must be true or false, was '" + alive + "'");
      }
      f = f.alive(Boolean.parseBoolean(alive));
    }
    String before = blankToNull(ctx.queryParam("before"));
    if (before != null) {
      if (admin.runner(before).isEmpty()) {
        throw new DashboardException(
            400, "before must be a listed runner's id, and there is no runner " + before);
      }
      f = f.before(before);
    }
    json(ctx, admin.runners(f));
  }

  void runner(Context ctx) {
    String id = ctx.pathParam("id");
    json(ctx, admin.runner(id).orElseThrow(() -> noSuchRunner(id)));
  }

  void runnerOutput(Context ctx) {
    String id = ctx.pathParam("id");
    if (admin.runner(id).isEmpty()) {
      throw noSuchRunner(id);
    }
    json(ctx, admin.runnerOutput(id));
  }

  void cost(Context ctx) {
    String since = ctx.queryParam("since");
    Duration back;
    try {
      back =
          Durations.parse(
              since == null || since.isBlank() ? "30d" : since, "since", Durations.LONGEST);
    } catch (IllegalArgumentException e) {
      throw new DashboardException(400, String.valueOf(e.getMessage()));
    }
    json(ctx, admin.cost(admin.now().minus(back)));
  }

  void schedules(Context ctx) {
    json(ctx, admin.schedules());
  }

  void runSchedule(Context ctx) {
    String name = schedule(ctx).name();
    try {
      json(ctx, Map.of("schedule", name, "jobId", admin.runSchedule(name)));
    } catch (IllegalArgumentException e) {
      throw new DashboardException(
          409, String.valueOf(e.getMessage())); // its job type is unknown here
    }
  }

  void pauseSchedule(Context ctx) {
    setPaused(ctx, true);
  }

  void resumeSchedule(Context ctx) {
    setPaused(ctx, false);
  }

  /** Pauses or resumes, and answers the schedule as it is now. */
  private void setPaused(Context ctx, boolean paused) {
    admin.pauseSchedule(schedule(ctx).name(), paused);
    json(ctx, schedule(ctx));
  }

  private ScheduleInfo schedule(Context ctx) {
    String name = ctx.pathParam("name");
    List<ScheduleInfo> all = admin.schedules();
    return all.stream()
        .filter(s -> s.name().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new DashboardException(
                    404,
                    "there is no schedule '"
                        + name
                        + "'; stored schedules: "
                        + (all.isEmpty()
                            ? "none"
                            : String.join(", ", all.stream().map(ScheduleInfo::name).toList()))));
  }

  static void json(Context ctx, Object value) {
    try {
      ctx.contentType("application/json").result(Json.mapper().writeValueAsString(value));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }

  private static int limit(Context ctx, int byDefault) {
    String v = ctx.queryParam("limit");
    if (v == null || v.isBlank()) {
      return byDefault;
    }
    try {
      int n = Integer.parseInt(v);
      if (n >= 1 && n <= MAX_LIMIT) {
        return n;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new DashboardException(400, "limit must be 1-" + MAX_LIMIT + ", was '" + v + "'");
  }

  private static long id(Context ctx) {
    String v = ctx.pathParam("id");
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new DashboardException(400, "a job id is a number, was '" + v + "'");
    }
  }

  private static DashboardException noSuchJob(long id) {
    return new DashboardException(404, "there is no job " + id + " (it may have been pruned)");
  }

  private static DashboardException noSuchRunner(String id) {
    return new DashboardException(404, "there is no runner " + id + " (it may have been pruned)");
  }

  private static @Nullable String blankToNull(@Nullable String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
