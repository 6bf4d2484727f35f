package dev.mayfly.store.jdbc;

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
      } else if (p instanceof String text) {
        ps.setString(i + 1, storable(text));
      } else {
        ps.setObject(i + 1, p);
      }
    }
  }

  /** What stands in for a character neither database can store. */
  public static final char REPLACED = '\uFFFD';

  /**
   * {@code text} as both databases can store it: PostgreSQL refuses NUL in text ("invalid byte
   * sequence for encoding UTF8: 0x00") and failed the whole transaction it was in; SQLite keeps it
   * but its C side ends strings there; and a lone UTF-16 surrogate has no UTF-8 form at all. Each
   * such character becomes U+FFFD, the Unicode replacement character, which marks where it was.
   * Errors, log lines, output and arguments all pass through here ({@link #bind}); text that needs
   * nothing (almost all of it) is returned as it is, after one scan.
   */
  public static String storable(String text) {
    int i = firstUnstorable(text);
    if (i < 0) {
      return text;
    }
    StringBuilder sb = new StringBuilder(text.length()).append(text, 0, i);
    for (; i < text.length(); i++) {
      char ch = text.charAt(i);
      if (ch == 0) {
        sb.append(REPLACED);
      } else if (Character.isHighSurrogate(ch)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        sb.append(ch).append(text.charAt(++i));
      } else if (Character.isSurrogate(ch)) {
        sb.append(REPLACED);
      } else {
        sb.append(ch);
      }
    }
    return sb.toString();
  }

  /**
   * {@code text} if it has at most {@code max} characters; else its head and tail around a marker
   * that says how much was cut.
   */
  public static String headAndTail(String text, int max) {
    if (text.length() <= max) {
      return text;
    }
    int tail = max / 4;
    int head = max - tail;
    return text.substring(0, head)
        + "\n... [truncated "
        + (text.length() - head - tail)
        + " characters] ...\n"
        + text.substring(text.length() - tail);
  }

  /** {@code text} with every character but printable ASCII, tab and newline replaced by '?'. */
  public static String printable(String text) {
    StringBuilder sb = new StringBuilder(text.length());
    text.chars()
        .forEach(
            ch ->
                sb.append(ch == '\n' || ch == '\t' || (ch >= 0x20 && ch < 0x7f) ? (char) ch : '?'));
    return sb.toString();
  }

  /**
   * Whether a failed write was refused for what a row holds (bad data, a constraint, a trigger, a
   * value too large), not for the connection or the database being away: writing the rows one by
   * one then gets the others through. PostgreSQL's SQLSTATE classes 22, 23, 54 and P0; SQLite's
   * result codes TOOBIG (18), CONSTRAINT (19), MISMATCH (20) and RANGE (25).
   */
  public static boolean isRowRefused(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SQLException e) {
        String state = e.getSQLState();
        if (state != null && state.length() == 5) {
          String cls = state.substring(0, 2);
          if (cls.equals("22") || cls.equals("23") || cls.equals("54") || cls.equals("P0")) {
            return true;
          }
        }
        int code = e.getErrorCode();
        if (e.getClass().getName().startsWith("org.sqlite.")
            && (code == 18 || code == 19 || code == 20 || code == 25)) {
          return true;
        }
      }
    }
    return false;
  }

  private static int firstUnstorable(String text) {
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      if (ch == 0) {
        return i;
      }
      if (Character.isSurrogate(ch)) {
        if (Character.isHighSurrogate(ch)
            && i + 1 < text.length()
            && Character.isLowSurrogate(text.charAt(i + 1))) {
          i++;
        } else {
          return i;
        }
      }
    }
    return -1;
  }
}
