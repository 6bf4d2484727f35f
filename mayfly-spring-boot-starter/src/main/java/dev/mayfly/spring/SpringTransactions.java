package dev.mayfly.spring;

import java.sql.Connection;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The connection of the Spring transaction the calling thread is in, on the app's {@link
 * DataSource}: a job enqueued inside {@code @Transactional} code is written through it, so it
 * exists, and runners hear of it, only if the transaction commits, and is gone with a rollback.
 * Outside a transaction there is none, and Mayfly writes on its own connection at once.
 */
final class SpringTransactions {
  private SpringTransactions() {}

  static Supplier<@Nullable Connection> current(DataSource dataSource) {
    return () ->
        TransactionSynchronizationManager.isActualTransactionActive()
            ? DataSourceUtils.getConnection(dataSource) // the transaction's own, released with it
            : null;
  }
}
