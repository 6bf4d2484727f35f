package dev.mayfly.store.jdbc;

import dev.mayfly.api.LogLine;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** The JDBC helper every part of the store shares: statements with positional parameters. */
public final class Sql {
  private Sql() {}

  @FunctionalInterface
  public interface SqlWork<T extends @Nullable Object> {
    T run(Connection c) throws SQLException;
  }

  @FunctionalInterface
  public interface RowMapper<T extends @Nullable Object> {
    T map(ResultSet rs) throws SQLException;
  }

  public static int update(Connection c, String sql, @Nullable Object... params)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, params);
      return ps.executeUpdate();
    }
  }

  public static <T extends @Nullable Object> List<T> list(
      Connection c, String sql, RowMapper<T> mapper, @Nullable Object... params)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, params);
      try (ResultSet rs = ps.executeQuery()) {
        List<T> out = new ArrayList<>();
        while (rs.next()) {
          out.add(mapper.map(rs));
        }
        return out;
      }
    }
  }

  /** The first row's value, or null when there is no row. */
  public static <T> @Nullable T one(
      Connection c, String sql, RowMapper<T> mapper, @Nullable Object... params)
      throws SQLException {
    List<T> rows = list(c, sql, mapper, params);
    return rows.isEmpty() ? null : rows.getFirst();
  }

  /**
   * The value of a statement that always yields one row (an aggregate, an INSERT's RETURNING); the
   * value itself may be null where the mapper says so ({@code max} of no rows).
   */
  public static <T extends @Nullable Object> T single(
      Connection c, String sql, RowMapper<T> mapper, @Nullable Object... params)
      throws SQLException {
    List<T> rows = list(c, sql, mapper, params);
    if (rows.size() != 1) {
      throw new SQLException("expected one row, got " + rows.size() + " from: " + sql);
    }
    return rows.getFirst();
  }

  public static void bind(PreparedStatement ps, @Nullable Object... params) throws SQLException {
    for (int i = 0; i < params.length; i++) {
      Object p = params[i];
      if (p == null) {
        ps.setNull(i + 1, Types.NULL);
      } else {
        ps.setObject(i + 1, p);
      }
    }
  }

  /** Inserts lines in one batch; {@code keys} come first, then each line's time, level, text. */
  static void insertLines(Dialect db, String sql, List<LogLine> lines, @Nullable Object... keys) {
    if (lines.isEmpty()) {
      return;
    }
    db.write(
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (LogLine l : lines) {
              bind(ps, keys);
              ps.setLong(keys.length + 1, l.at().toEpochMilli());
              ps.setString(keys.length + 2, l.level());
              ps.setString(keys.length + 3, l.message());
              ps.addBatch();
            }
            ps.executeBatch();
          }
          return null;
        });
  }
}
