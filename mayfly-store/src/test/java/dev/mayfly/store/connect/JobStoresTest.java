package dev.mayfly.store.connect;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mayfly.store.StoreException;
import org.junit.jupiter.api.Test;

/** Here no store module is on the class path: what an app without one is told. */
class JobStoresTest {
  @Test
  void aPostgresUrlWithoutThePostgresModuleNamesTheModuleToAdd() {
    assertThatThrownBy(() -> JobStores.open("postgres://bob:secret@db.example.com/app"))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("no Mayfly store on the class path opens postgres://bob:****@")
        .hasMessageContaining("add the dependency dev.mayfly:mayfly-store-postgres")
        .hasMessageNotContaining("secret");
  }

  @Test
  void aSqliteFileWithoutTheSqliteModuleNamesTheModuleToAdd() {
    assertThatThrownBy(() -> JobStores.openForRunner("jobs.db"))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("add the dependency dev.mayfly:mayfly-store-sqlite");
  }
}
