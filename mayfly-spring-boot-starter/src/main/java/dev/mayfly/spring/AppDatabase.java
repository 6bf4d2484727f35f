package dev.mayfly.spring;

import com.zaxxer.hikari.HikariDataSource;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The Mayfly store URL for the app's own database. Runners are other processes, so Mayfly needs the
 * address, not the pool: it is read from the app's {@link DataSource} where the pool tells it
 * (HikariCP, Spring Boot's default), with its user and password. Only PostgreSQL and SQLite
 * databases are Mayfly stores; with any other, or none, Mayfly keeps its own default ({@code
 * MAYFLY_DATABASE_URL}, {@code DATABASE_URL}, else a SQLite file in {@code .mayfly/}).
 */
final class AppDatabase {
  private AppDatabase() {}

  static Optional<String> url(@Nullable DataSource dataSource) {
    if (!(dataSource instanceof HikariDataSource pool) || pool.getJdbcUrl() == null) {
      return Optional.empty();
    }
    return url(pool.getJdbcUrl(), pool.getUsername(), pool.getPassword());
  }

  static Optional<String> url(String jdbcUrl, @Nullable String user, @Nullable String password) {
    String lower = jdbcUrl.toLowerCase(Locale.ROOT);
    if (lower.startsWith("jdbc:sqlite:")) {
      return Optional.of(jdbcUrl);
    }
    if (!lower.startsWith("jdbc:postgresql:")) {
      return Optional.empty();
    }
    StringBuilder url = new StringBuilder(jdbcUrl);
    char sep = jdbcUrl.contains("?") ? '&' : '?';
    if (user != null && !user.isEmpty() && !lower.contains("user=")) {
      url.append(sep).append("user=").append(encode(user));
      sep = '&';
    }
    if (password != null && !password.isEmpty() && !lower.contains("password=")) {
      url.append(sep).append("password=").append(encode(password));
    }
    return Optional.of(url.toString());
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
