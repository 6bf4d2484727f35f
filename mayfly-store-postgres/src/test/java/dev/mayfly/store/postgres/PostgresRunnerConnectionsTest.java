package dev.mayfly.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mayfly.store.ClaimRequest;
import dev.mayfly.store.FleetContract;
import dev.mayfly.store.IntakeContract;
import dev.mayfly.store.ReadModelContract;
import dev.mayfly.store.RunnerQueueContract;
import dev.mayfly.store.ScheduleStoreContract;
import dev.mayfly.store.StoreException;
import dev.mayfly.store.TestStores;
import dev.mayfly.store.connect.JobStores;
import java.time.Duration;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The store a runner opens: every contract again, on two plain connections and no pool. */
class PostgresRunnerConnectionsTest {
  @Nested
  class AsRunnerQueue extends RunnerQueueContract {
    private PostgresTestStores pg;

    @Override
    protected TestStores stores() {
      pg = PostgresTestStores.forRunners();
      return pg;
    }

    @Test
    void aConnectionTheServerEndedIsReplacedAndTheStatementRetried() {
      long id = intake.enqueue(job("default"));
      TestDatabase.execute(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '"
              + pg.application()
              + "'");
      assertThat(
              first(
                  runnerQueue.claim(
                      new ClaimRequest(
                          "default", "r", t0, Duration.ofMinutes(10), t0.plusSeconds(30), 1))))
          .hasValueSatisfying(j -> assertThat(j.id()).isEqualTo(id));
    }
  }

  @Nested
  class AsFleet extends FleetContract {
    @Override
    protected TestStores stores() {
      return PostgresTestStores.forRunners();
    }
  }

  @Nested
  class AsIntake extends IntakeContract {
    @Override
    protected TestStores stores() {
      return PostgresTestStores.forRunners();
    }
  }

  @Nested
  class AsReadModel extends ReadModelContract {
    @Override
    protected TestStores stores() {
      return PostgresTestStores.forRunners();
    }
  }

  @Nested
  class AsScheduleStore extends ScheduleStoreContract {
    @Override
    protected TestStores stores() {
      return PostgresTestStores.forRunners();
    }
  }

  @Test
  void anUnreachableServerIsReportedWithWhatToCheck() {
    assertThatThrownBy(() -> JobStores.openForRunner("postgres://nobody:secret@127.0.0.1:1/none"))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining(
            "cannot connect to PostgreSQL at postgresql://nobody@127.0.0.1:1/none")
        .hasMessageContaining("Check that the server runs")
        .hasMessageNotContaining("secret");
  }
}
