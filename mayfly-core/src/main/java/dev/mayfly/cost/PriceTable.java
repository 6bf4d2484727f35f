package dev.mayfly.cost;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What a runner costs per hour, by launcher and size, in US dollars. Heroku's list prices are built
 * in (monthly list price / 720, as Heroku's own CLI computes the hourly rate; Heroku prorates to
 * the second). Configured prices ({@code price.<launcher>.<size> = <dollars per hour>}, or {@code
 * price.<launcher>.default}) come first.
 *
 * <p>Runners of other launchers (local processes, in-process) are priced as a Heroku dyno of the
 * same size unless a price is configured for them: the question the cost page answers is what the
 * work would cost on a per-second platform.
 */
public final class PriceTable {
  /** Heroku's list prices in dollars per month (24x7), from its dyno-types page and CLI. */
  private static final Map<String, Double> HEROKU_MONTHLY =
      Map.ofEntries(
          Map.entry("basic", 7.0),
          Map.entry("standard-1x", 25.0),
          Map.entry("standard-2x", 50.0),
          Map.entry("performance-m", 250.0),
          Map.entry("performance-l", 500.0),
          Map.entry("performance-l-ram", 500.0),
          Map.entry("performance-xl", 750.0),
          Map.entry("performance-2xl", 1500.0));

  public static final String DEFAULT_SIZE = "standard-1x";

  private final Map<String, Double> configured;

  private PriceTable(Map<String, Double> configured) {
    this.configured = Map.copyOf(configured);
  }

  /** Heroku's list prices only. */
  public static PriceTable heroku() {
    return new PriceTable(Map.of());
  }

  /** A price applied to one launcher and size. */
  public record Price(double perHour, String basis) {}

  /**
   * This table with one more configured price.
   *
   * @param size a size name, or {@code default} for every size of the launcher
   */
  public PriceTable with(String launcher, String size, double dollarsPerHour) {
    if (!(dollarsPerHour >= 0) || Double.isInfinite(dollarsPerHour)) {
      throw new IllegalArgumentException(
          "price."
              + launcher
              + "."
              + size
              + " must be a number of dollars per hour, 0 or more; was "
              + dollarsPerHour);
    }
    Map<String, Double> m = new LinkedHashMap<>(configured);
    m.put(key(launcher, size), dollarsPerHour);
    return new PriceTable(m);
  }

  /** The price of one runner-hour; empty for a size with no list price and no configured price. */
  public Optional<Price> price(String launcher, @Nullable String size) {
    String s = size == null || size.isBlank() ? DEFAULT_SIZE : size.toLowerCase(Locale.ROOT);
    Double exact = configured.get(key(launcher, s));
    if (exact != null) {
      return Optional.of(new Price(exact, "configured: price." + launcher + "." + s));
    }
    Double any = configured.get(key(launcher, "default"));
    if (any != null) {
      return Optional.of(new Price(any, "configured: price." + launcher + ".default"));
    }
    Double monthly = HEROKU_MONTHLY.get(s);
    if (monthly == null) {
      return Optional.empty();
    }
    String basis =
        "heroku".equals(launcher)
            ? "Heroku list price ($" + fmt(monthly) + "/month)"
            : "as a Heroku " + s + " dyno ($" + fmt(monthly) + "/month)";
    return Optional.of(new Price(monthly / 720.0, basis));
  }

  /** The configured prices, as {@code launcher.size -> dollars per hour}. */
  public Map<String, Double> configured() {
    return configured;
  }

  private static String key(String launcher, String size) {
    return launcher.toLowerCase(Locale.ROOT) + "." + size.toLowerCase(Locale.ROOT);
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
  }

  @Override
  public String toString() {
    return configured.isEmpty() ? "Heroku list prices" : "Heroku list prices, and " + configured;
  }
}
