package dev.mayfly.examples.typocheck;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;

/**
 * Finds known misspellings in a line of text or code. Commits are mostly code, full of names no
 * dictionary holds, so the checker does not flag unknown words: it looks each word up in a list of
 * common misspellings ({@code misspellings.txt}, one {@code wrong->right} a line), after splitting
 * identifiers ({@code recieveData}, {@code max_lenght}) into their words. Few false alarms, which
 * is what a bot commenting on commits needs.
 */
@Component
public class SpellChecker {
  /** A run of letters; identifiers are split further at case changes. */
  private static final Pattern WORD = Pattern.compile("\\p{L}+");

  private static final Pattern CAMEL = Pattern.compile("(?<=\\p{Ll})(?=\\p{Lu})");

  /** A misspelled word at a column (1-based) of the line, and its correction. */
  public record Typo(String word, int column, String suggestion) {}

  private final Map<String, String> corrections;

  public SpellChecker() {
    this.corrections = load();
  }

  /** How many misspellings the checker knows. */
  public int size() {
    return corrections.size();
  }

  public List<Typo> check(String line) {
    List<Typo> typos = new ArrayList<>();
    Matcher m = WORD.matcher(line);
    while (m.find()) {
      int offset = m.start();
      for (String part : CAMEL.split(m.group())) {
        String fix = corrections.get(part.toLowerCase(Locale.ROOT));
        if (fix != null) {
          typos.add(new Typo(part, offset + 1, sameCase(part, fix)));
        }
        offset += part.length();
      }
    }
    return typos;
  }

  private static String sameCase(String word, String fix) {
    if (word.length() > 1 && word.equals(word.toUpperCase(Locale.ROOT))) {
      return fix.toUpperCase(Locale.ROOT);
    }
    if (Character.isUpperCase(word.charAt(0))) {
      return Character.toUpperCase(fix.charAt(0)) + fix.substring(1);
    }
    return fix;
  }

  private static Map<String, String> load() {
    Map<String, String> map = new HashMap<>();
    try (InputStream in = SpellChecker.class.getResourceAsStream("/misspellings.txt")) {
      if (in == null) {
        throw new IllegalStateException("misspellings.txt is missing from the class path");
      }
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line; (line = r.readLine()) != null; ) {
        line = line.strip();
        int arrow = line.indexOf("->");
        if (line.isEmpty() || line.startsWith("#") || arrow < 1) {
          continue;
        }
        map.put(line.substring(0, arrow).strip(), line.substring(arrow + 2).strip());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Map.copyOf(map);
  }
}
