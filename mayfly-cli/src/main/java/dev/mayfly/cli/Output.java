package dev.mayfly.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.mayfly.internal.jobs.Json;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Tables for people, JSON for scripts; the JSON field names are documented in docs/cli.md. */
final class Output {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  private Output() {}

  static void json(PrintWriter out, Object value) {
    try {
      out.println(Json.mapper().writeValueAsString(value));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
    out.flush();
  }

  static String time(@Nullable Instant t) {
    return t == null ? "-" : TIME.format(t);
  }

  static String duration(@Nullable Instant from, @Nullable Instant to) {
    if (from == null || to == null) {
      return "-";
    }
    return dev.mayfly.internal.Durations.format(Duration.between(from, to));
  }

  static String firstLine(@Nullable String s) {
    if (s == null) {
      return "";
    }
    String line = s.lines().findFirst().orElse("");
    return line.length() > 80 ? line.substring(0, 77) + "..." : line;
  }

  /** Prints rows as left-aligned columns. */
  static void table(PrintWriter out, List<String> header, List<List<String>> rows) {
    int[] widths = new int[header.size()];
    for (int i = 0; i < widths.length; i++) {
      widths[i] = header.get(i).length();
      for (List<String> row : rows) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    printRow(out, header, widths);
    for (List<String> row : rows) {
      printRow(out, row, widths);
    }
    out.flush();
  }

  private static void printRow(PrintWriter out, List<String> row, int[] widths) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < row.size(); i++) {
      sb.append(
          i == row.size() - 1 ? row.get(i) : String.format("%-" + widths[i] + "s  ", row.get(i)));
    }
    out.println(sb.toString().stripTrailing());
  }
}
