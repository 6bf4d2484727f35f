package dev.mayfly.internal.names;

import java.util.regex.Pattern;

/** Queue and job type names: short, lower-case, safe in a URL, an env var value and a log line. */
public final class QueueNames {
  private static final Pattern VALID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

  private QueueNames() {}

  public static boolean isValid(String name) {
    return name != null && VALID.matcher(name).matches();
  }

  public static String problem(String name) {
    return "invalid name '"
        + name
        + "': use 1 to 63 lower-case letters, digits, '.', '_' or '-', starting with a letter or"
        + " digit";
  }
}
