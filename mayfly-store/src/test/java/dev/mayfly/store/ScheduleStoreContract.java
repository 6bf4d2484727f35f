package dev.mayfly.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mayfly.api.JobState;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ScheduleStore} must do: schedules defined, each fire time handled once, paused
 * and run by hand. Subclass it per database and give it {@link #stores()}; every store runs it.
 */
public abstract class ScheduleStoreContract extends StoreContract {
  @Test
  void schedulesAreDefinedKeepTheirHistoryAndGoWhenNoLongerListed() {
    schedules.defineSchedules(
        List.of(schedule("hourly", "0 * * * *"), schedule("daily", "0 3 * * *")), t0);
    assertThat(schedules.fireSchedule("hourly", null, t0.plusSeconds(3600), job("default")))
        .isNotNull();
    // redefined later with another cron: it keeps when it last fired, and when it began
    schedules.defineSchedules(List.of(schedule("hourly", "30 * * * *")), t0.plusSeconds(7200));
    List<ScheduleState> all = schedules.schedules();
    assertThat(all).extracting(s -> s.schedule().name()).containsExactly("hourly");
    ScheduleState hourly = all.getFirst();
    assertThat(hourly.schedule().cron()).isEqualTo("30 * * * *");
    assertThat(hourly.since()).isEqualTo(t0);
    assertThat(hourly.lastFire()).isEqualTo(t0.plusSeconds(3600));
    assertThat(hourly.lastJobState()).isEqualTo(JobState.QUEUED);
    assertThat(hourly.fired()).isEqualTo(1);
  }

  @Test
  void aFireTimeIsHandledOnceWhicheverHandleTriesFirst() throws Exception {
    schedules.defineSchedules(List.of(schedule("hourly", "0 * * * *")), t0);
    Instant at = t0.plusSeconds(3600);
    List<Long> fired =
        race(handle -> handle.schedules().fireSchedule("hourly", null, at, job("default"))).stream()
            .filter(java.util.Objects::nonNull)
            .toList();
    assertThat(fired).hasSize(1);
    assertThat(reads.counts(t0).getFirst().queued()).isEqualTo(1);
    ScheduleState s = schedules.schedules().getFirst();
    assertThat(s.lastFire()).isEqualTo(at);
    assertThat(s.lastJobId()).isEqualTo(fired.getFirst());
    // the next time is handled only from the last one: a handle that missed it is refused
    assertThat(schedules.fireSchedule("hourly", null, at.plusSeconds(3600), job("default")))
        .isNull();
    assertThat(schedules.skipSchedule("hourly", at, at.plusSeconds(3600))).isTrue();
    assertThat(schedules.schedules().getFirst().skipped()).isEqualTo(1);
    assertThat(reads.counts(t0).getFirst().queued()).isEqualTo(1);
  }

  @Test
  void aPausedScheduleFiresNothingAndARunByHandIsItsLatestJob() {
    schedules.defineSchedules(List.of(schedule("hourly", "0 * * * *")), t0);
    assertThat(schedules.pauseSchedule("hourly", true)).isTrue();
    assertThat(schedules.pauseSchedule("nothing", true)).isFalse();
    assertThat(schedules.schedules().getFirst().paused()).isTrue();
    assertThat(schedules.fireSchedule("hourly", null, t0.plusSeconds(3600), job("default")))
        .isNull();
    Long id = schedules.runScheduleNow("hourly", job("default"));
    assertThat(id).isNotNull();
    assertThat(schedules.runScheduleNow("nothing", job("default"))).isNull();
    ScheduleState s = schedules.schedules().getFirst();
    assertThat(s.lastJobId()).isEqualTo(id);
    assertThat(s.lastFire()).isNull();
    assertThat(schedules.pauseSchedule("hourly", false)).isTrue();
    assertThat(schedules.fireSchedule("hourly", null, t0.plusSeconds(3600), job("default")))
        .isNotNull();
  }

  private static StoredSchedule schedule(String name, String cron) {
    return new StoredSchedule(name, cron, "UTC", "sleep", "{}", null, "latest", "skip");
  }
}
