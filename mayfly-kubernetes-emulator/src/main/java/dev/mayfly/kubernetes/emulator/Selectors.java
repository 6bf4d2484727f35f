package dev.mayfly.kubernetes.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Label and field selectors, as the API server reads them: labels with {@code =}, {@code ==},
 * {@code !=}, {@code in}, {@code notin}, {@code key} and {@code !key}; fields with {@code =},
 * {@code ==} and {@code !=} on the fields each resource supports (others are a 400, as there).
 */
final class Selectors {
  private Selectors() {}

  /** A selector that could not be read: the request is a 400. */
  static final class BadSelector extends Exception {
    BadSelector(String message) {
      super(message);
    }
  }

  /** The fields each kind can be selected on, beyond {@code metadata.name} and namespace. */
  private static final Map<String, Map<String, Function<JsonNode, String>>> FIELDS =
      Map.of(
          "pods",
          Map.of(
              "spec.nodeName", o -> text(o, "spec", "nodeName"),
              "spec.restartPolicy", o -> text(o, "spec", "restartPolicy"),
              "spec.schedulerName", o -> text(o, "spec", "schedulerName"),
              "spec.serviceAccountName", o -> text(o, "spec", "serviceAccountName"),
              "status.phase", o -> text(o, "status", "phase"),
              "status.podIP", o -> text(o, "status", "podIP"),
              "status.nominatedNodeName", o -> text(o, "status", "nominatedNodeName")),
          "events",
          Map.of(
              "involvedObject.kind", o -> text(o, "involvedObject", "kind"),
              "involvedObject.namespace", o -> text(o, "involvedObject", "namespace"),
              "involvedObject.name", o -> text(o, "involvedObject", "name"),
              "involvedObject.uid", o -> text(o, "involvedObject", "uid"),
              "involvedObject.apiVersion", o -> text(o, "involvedObject", "apiVersion"),
              "involvedObject.resourceVersion", o -> text(o, "involvedObject", "resourceVersion"),
              "involvedObject.fieldPath", o -> text(o, "involvedObject", "fieldPath"),
              "reason", o -> text(o, "reason"),
              "source", o -> text(o, "source", "component"),
              "type", o -> text(o, "type")),
          "jobs",
          Map.of(
              "status.successful", o -> String.valueOf(o.path("status").path("succeeded").asInt())),
          "secrets",
          Map.of("type", o -> text(o, "type")),
          "namespaces",
          Map.of("status.phase", o -> text(o, "status", "phase")),
          "nodes",
          Map.of(
              "spec.unschedulable",
              o -> String.valueOf(o.path("spec").path("unschedulable").asBoolean())));

  private static String text(JsonNode o, String... path) {
    JsonNode n = o;
    for (String p : path) {
      n = n.path(p);
    }
    return n.isValueNode() ? n.asText() : "";
  }

  /** Objects of {@code plural} matching both selectors (either may be null or empty). */
  static Predicate<JsonNode> matcher(
      String plural, @Nullable String labelSelector, @Nullable String fieldSelector)
      throws BadSelector {
    Predicate<JsonNode> labels = labels(labelSelector);
    Predicate<JsonNode> fields = fields(plural, fieldSelector);
    return labels.and(fields);
  }

  static Predicate<JsonNode> labels(@Nullable String selector) throws BadSelector {
    Predicate<JsonNode> all = o -> true;
    if (selector == null || selector.isBlank()) {
      return all;
    }
    for (String term : split(selector)) {
      all = all.and(labelTerm(term.trim()));
    }
    return all;
  }

  private static Predicate<JsonNode> labelTerm(String term) throws BadSelector {
    java.util.regex.Matcher set =
        java.util.regex.Pattern.compile("^(\\S+)\\s+(in|notin)\\s*\\((.*)\\)$").matcher(term);
    if (set.matches()) {
      String key = set.group(1);
      Set<String> values = Set.copyOf(List.of(set.group(3).replace(" ", "").split(",", -1)));
      boolean in = set.group(2).equals("in");
      return o -> {
        String v = label(o, key);
        return in ? v != null && values.contains(v) : v == null || !values.contains(v);
      };
    }
    int ne = term.indexOf("!=");
    if (ne > 0) {
      String key = term.substring(0, ne).trim();
      String value = term.substring(ne + 2).trim();
      return o -> !value.equals(label(o, key));
    }
    int eq = term.indexOf('=');
    if (eq > 0) {
      String key = term.substring(0, eq).trim();
      String value = term.substring(term.startsWith("==", eq) ? eq + 2 : eq + 1).trim();
      return o -> value.equals(label(o, key));
    }
    if (term.startsWith("!") && term.length() > 1 && !term.contains(" ")) {
      String key = term.substring(1);
      return o -> label(o, key) == null;
    }
    if (!term.isEmpty() && term.matches("[A-Za-z0-9./_-]+")) {
      return o -> label(o, term) != null;
    }
    throw new BadSelector("unable to parse requirement: " + term);
  }

  private static @Nullable String label(JsonNode o, String key) {
    JsonNode v = o.path("metadata").path("labels").get(key);
    return v == null || v.isNull() ? null : v.asText();
  }

  static Predicate<JsonNode> fields(String plural, @Nullable String selector) throws BadSelector {
    Predicate<JsonNode> all = o -> true;
    if (selector == null || selector.isBlank()) {
      return all;
    }
    Map<String, Function<JsonNode, String>> supported = FIELDS.getOrDefault(plural, Map.of());
    for (String term : splitEscaped(selector)) {
      boolean negated = term.contains("!=");
      String[] kv = term.split(negated ? "!=" : "==?", 2);
      if (kv.length != 2) {
        throw new BadSelector(
            "invalid selector: '" + selector + "'; can't understand '" + term + "'");
      }
      String field = kv[0].trim();
      String value = unescape(kv[1].trim());
      Function<JsonNode, String> read =
          switch (field) {
            case "metadata.name" -> o -> text(o, "metadata", "name");
            case "metadata.namespace" -> o -> text(o, "metadata", "namespace");
            default -> supported.get(field);
          };
      if (read == null) {
        throw new BadSelector("field label not supported: " + field);
      }
      all = all.and(o -> value.equals(read.apply(o)) != negated);
    }
    return all;
  }

  /** Terms separated by commas outside parentheses. */
  private static List<String> split(String selector) {
    List<String> terms = new ArrayList<>();
    int depth = 0;
    StringBuilder term = new StringBuilder();
    for (int i = 0; i < selector.length(); i++) {
      char c = selector.charAt(i);
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      }
      if (c == ',' && depth == 0) {
        terms.add(term.toString());
        term.setLength(0);
      } else {
        term.append(c);
      }
    }
    terms.add(term.toString());
    return terms.stream().filter(t -> !t.isBlank()).toList();
  }

  /** Terms separated by commas, {@code \,} being a comma within a value. */
  private static List<String> splitEscaped(String selector) {
    List<String> terms = new ArrayList<>();
    StringBuilder term = new StringBuilder();
    for (int i = 0; i < selector.length(); i++) {
      char c = selector.charAt(i);
      if (c == '\\' && i + 1 < selector.length()) {
        term.append(c).append(selector.charAt(++i));
      } else if (c == ',') {
        terms.add(term.toString());
        term.setLength(0);
      } else {
        term.append(c);
      }
    }
    terms.add(term.toString());
    return terms.stream().filter(t -> !t.isBlank()).toList();
  }

  private static String unescape(String value) {
    return value.replace("\\,", ",").replace("\\=", "=").replace("\\\\", "\\");
  }
}
