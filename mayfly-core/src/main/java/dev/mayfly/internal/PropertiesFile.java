package dev.mayfly.internal;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * A configuration file ({@code mayfly.properties}) read as {@link Properties#load(java.io.Reader)}
 * reads it, except that a key set twice is refused: {@code Properties} keeps the last silently, and
 * the one a person edited may be the other.
 */
public final class PropertiesFile {
  private PropertiesFile() {}

  /**
   * @throws IllegalArgumentException naming the file, a key set twice and both its lines
   * @throws IOException if the file cannot be read
   */
  public static Properties read(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file);
    Properties all = new Properties();
    Map<String, Integer> lineOf = new HashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      int first = i + 1;
      String start = lines.get(i).stripLeading();
      if (start.isEmpty() || start.startsWith("#") || start.startsWith("!")) {
        continue; // a comment does not go on to the next line, whatever it ends with
      }
      StringBuilder entry = new StringBuilder(lines.get(i));
      while (continues(lines.get(i)) && i + 1 < lines.size()) {
        entry.append('\n').append(lines.get(++i));
      }
      // One entry at a time through Properties itself, so keys read as it reads them (escapes,
      // separators, continued lines).
      Properties one = new Properties();
      one.load(new StringReader(entry.toString()));
      for (String key : one.stringPropertyNames()) {
        Integer earlier = lineOf.putIfAbsent(key, first);
        if (earlier != null) {
          throw new IllegalArgumentException(
              file
                  + ": '"
                  + key
                  + "' is set twice, on line "
                  + earlier
                  + " and on line "
                  + first
                  + "; keep one");
        }
        all.setProperty(key, one.getProperty(key));
      }
    }
    return all;
  }

  /** Whether a line goes on to the next: it ends with an odd number of backslashes. */
  private static boolean continues(String line) {
    int backslashes = 0;
    for (int i = line.length() - 1; i >= 0 && line.charAt(i) == '\\'; i--) {
      backslashes++;
    }
    return backslashes % 2 == 1;
  }
}
