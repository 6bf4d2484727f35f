package dev.mayfly.kubernetes.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Server-side printing: the {@code Table} kubectl asks for ({@code Accept:
 * application/json;as=Table;v=v1;g=meta.k8s.io}) and prints as it comes, with the columns a real
 * API server gives Jobs ({@code STATUS COMPLETIONS DURATION AGE}), Pods ({@code READY STATUS
 * RESTARTS AGE}), Events, Nodes, Namespaces and Secrets, and {@code NAME CREATED AT} for the rest.
 */
final class Tables {
  private Tables() {}

  private record Column(String name, String type, int priority, String description) {}

  private record Printer(List<Column> columns, Function<JsonNode, List<Object>> cells) {}

  private static final Column NAME = new Column("Name", "string", 0, "Name of the object.");
  private static final Column AGE =
      new Column("Age", "string", 0, "Time since the object was created.");

  private static final Map<String, Printer> PRINTERS =
      Map.of(
          "pods",
          new Printer(
              List.of(
                  NAME,
                  new Column("Ready", "string", 0, "The aggregate readiness state of this pod."),
                  new Column("Status", "string", 0, "The aggregate status of the containers."),
                  new Column("Restarts", "string", 0, "The number of container restarts."),
                  AGE,
                  new Column("IP", "string", 1, "The pod's IP address."),
                  new Column("Node", "string", 1, "The node the pod is bound to."),
                  new Column("Nominated Node", "string", 1, "The node nominated for the pod."),
                  new Column("Readiness Gates", "string", 1, "The pod's readiness gates.")),
              Tables::pod),
          "jobs",
          new Printer(
              List.of(
                  NAME,
                  new Column("Status", "string", 0, "Status of the job."),
                  new Column("Completions", "string", 0, "The number of pods that succeeded."),
                  new Column("Duration", "string", 0, "Time required to complete the job."),
                  AGE,
                  new Column("Containers", "string", 1, "Names of each container in the template."),
                  new Column("Images", "string", 1, "Images referenced by each container."),
                  new Column("Selector", "string", 1, "The job's pod selector.")),
              Tables::job),
          "events",
          new Printer(
              List.of(
                  new Column("Last Seen", "string", 0, "When the event was last seen."),
                  new Column("Type", "string", 0, "Normal or Warning."),
                  new Column("Reason", "string", 0, "Why the event happened."),
                  new Column("Object", "string", 0, "The object the event is about."),
                  new Column("Subobject", "string", 1, "The part of the object."),
                  new Column("Source", "string", 1, "The component that reported it."),
                  new Column("Message", "string", 0, "What happened."),
                  new Column("First Seen", "string", 1, "When the event was first seen."),
                  new Column("Count", "string", 1, "How many times it happened."),
                  new Column("Name", "string", 1, "The event's name.")),
              Tables::event),
          "nodes",
          new Printer(
              List.of(
                  NAME,
                  new Column("Status", "string", 0, "The status of the node."),
                  new Column("Roles", "string", 0, "The roles of the node."),
                  AGE,
                  new Column("Version", "string", 0, "The kubelet's version.")),
              o ->
                  List.of(
                      name(o),
                      "Ready",
                      "<none>",
                      Wire.age(o.path("metadata").path("creationTimestamp")),
                      o.path("status").path("nodeInfo").path("kubeletVersion").asText(""))),
          "namespaces",
          new Printer(
              List.of(NAME, new Column("Status", "string", 0, "The namespace's phase."), AGE),
              o ->
                  List.of(
                      name(o),
                      o.path("status").path("phase").asText("Active"),
                      Wire.age(o.path("metadata").path("creationTimestamp")))),
          "secrets",
          new Printer(
              List.of(
                  NAME,
                  new Column("Type", "string", 0, "The secret's type."),
                  new Column("Data", "string", 0, "How many keys it holds."),
                  AGE),
              o ->
                  List.of(
                      name(o),
                      o.path("type").asText("Opaque"),
                      (long) o.path("data").size(),
                      Wire.age(o.path("metadata").path("creationTimestamp")))));

  private static final Printer DEFAULT =
      new Printer(
          List.of(NAME, new Column("Created At", "date", 0, "When the object was created.")),
          o -> List.of(name(o), o.path("metadata").path("creationTimestamp").asText("")));

  /**
   * The table of {@code items}; each row carries the object as {@code includeObject} asks: its
   * metadata ({@code Metadata}, the default), all of it ({@code Object}) or nothing ({@code None}).
   */
  static ObjectNode table(
      String plural, List<JsonNode> items, String resourceVersion, @Nullable String include) {
    Printer printer = PRINTERS.getOrDefault(plural, DEFAULT);
    ObjectNode table = Wire.object().put("kind", "Table").put("apiVersion", "meta.k8s.io/v1");
    table.putObject("metadata").put("resourceVersion", resourceVersion);
    ArrayNode columns = table.putArray("columnDefinitions");
    for (Column c : printer.columns()) {
      ObjectNode def =
          columns
              .addObject()
              .put("name", c.name())
              .put("type", c.type())
              .put("format", c.equals(NAME) ? "name" : "")
              .put("description", c.description())
              .put("priority", c.priority());
      if (c.type().equals("date")) {
        def.put("format", "");
      }
    }
    ArrayNode rows = table.putArray("rows");
    for (JsonNode item : items) {
      ObjectNode row = rows.addObject();
      ArrayNode cells = row.putArray("cells");
      printer.cells().apply(item).forEach(v -> cells.add(Wire.JSON.valueToTree(v)));
      if (plural.equals("pods")) {
        String phase = item.path("status").path("phase").asText();
        if (phase.equals("Succeeded") || phase.equals("Failed")) {
          row.putArray("conditions")
              .addObject()
              .put("type", "Completed")
              .put("status", "True")
              .put("reason", phase)
              .put(
                  "message",
                  phase.equals("Succeeded")
                      ? "The pod has completed successfully."
                      : "The pod failed.");
        }
      }
      if ("Object".equals(include)) {
        row.set("object", item);
      } else if (!"None".equals(include)) {
        ObjectNode partial =
            row.putObject("object")
                .put("kind", "PartialObjectMetadata")
                .put("apiVersion", "meta.k8s.io/v1");
        partial.set("metadata", item.path("metadata"));
      }
    }
    return table;
  }

  private static String name(JsonNode o) {
    return o.path("metadata").path("name").asText();
  }

  private static List<Object> pod(JsonNode pod) {
    JsonNode status = pod.path("status");
    String reason = status.path("reason").asText(status.path("phase").asText("Pending"));
    int restarts = 0;
    int ready = 0;
    boolean running = false;
    JsonNode statuses = status.path("containerStatuses");
    for (int i = statuses.size() - 1; i >= 0; i--) {
      JsonNode c = statuses.get(i);
      restarts += c.path("restartCount").asInt();
      JsonNode state = c.path("state");
      if (!state.path("waiting").path("reason").asText().isEmpty()) {
        reason = state.path("waiting").path("reason").asText();
      } else if (state.has("terminated")) {
        JsonNode t = state.path("terminated");
        reason =
            !t.path("reason").asText().isEmpty()
                ? t.path("reason").asText()
                : t.path("signal").asInt() != 0
                    ? "Signal:" + t.path("signal").asInt()
                    : "ExitCode:" + t.path("exitCode").asInt();
      } else if (c.path("ready").asBoolean() && state.has("running")) {
        running = true;
        ready++;
      }
    }
    if (reason.equals("Completed") && running) {
      reason = "Running";
    }
    String phase = status.path("phase").asText();
    if (pod.path("metadata").has("deletionTimestamp")
        && !phase.equals("Succeeded")
        && !phase.equals("Failed")) {
      reason = "Terminating";
    }
    String ip = status.path("podIP").asText("");
    String node = pod.path("spec").path("nodeName").asText("");
    return List.of(
        name(pod),
        ready + "/" + pod.path("spec").path("containers").size(),
        reason,
        String.valueOf(restarts),
        Wire.age(pod.path("metadata").path("creationTimestamp")),
        ip.isEmpty() ? "<none>" : ip,
        node.isEmpty() ? "<none>" : node,
        "<none>",
        "<none>");
  }

  private static List<Object> job(JsonNode job) {
    JsonNode status = job.path("status");
    JsonNode spec = job.path("spec");
    int succeeded = status.path("succeeded").asInt();
    String completions =
        spec.has("completions")
            ? succeeded + "/" + spec.path("completions").asInt()
            : spec.path("parallelism").asInt(1) > 1
                ? succeeded + "/1 of " + spec.path("parallelism").asInt()
                : succeeded + "/1";
    Instant start = Wire.instant(status.path("startTime"));
    Instant end = Wire.instant(status.path("completionTime"));
    String duration =
        start == null ? "" : Wire.human(Duration.between(start, end == null ? Instant.now() : end));
    String state;
    if (condition(status, "Complete")) {
      state = "Complete";
    } else if (condition(status, "Failed")) {
      state = "Failed";
    } else if (job.path("metadata").has("deletionTimestamp")) {
      state = "Terminating";
    } else if (condition(status, "Suspended")) {
      state = "Suspended";
    } else if (condition(status, "FailureTarget")) {
      state = "FailureTarget";
    } else {
      state = "Running";
    }
    List<String> names = new ArrayList<>();
    List<String> images = new ArrayList<>();
    for (JsonNode c : spec.path("template").path("spec").path("containers")) {
      names.add(c.path("name").asText());
      images.add(c.path("image").asText());
    }
    Map<String, String> selector = new TreeMap<>();
    spec.path("selector")
        .path("matchLabels")
        .properties()
        .forEach(e -> selector.put(e.getKey(), e.getValue().asText()));
    List<String> terms = new ArrayList<>();
    selector.forEach((k, v) -> terms.add(k + "=" + v));
    return List.of(
        name(job),
        state,
        completions,
        duration,
        Wire.age(job.path("metadata").path("creationTimestamp")),
        String.join(",", names),
        String.join(",", images),
        terms.isEmpty() ? "<none>" : String.join(",", terms));
  }

  private static boolean condition(JsonNode status, String type) {
    for (JsonNode c : status.path("conditions")) {
      if (c.path("type").asText().equals(type)) {
        return c.path("status").asText().equals("True");
      }
    }
    return false;
  }

  private static List<Object> event(JsonNode e) {
    JsonNode last = e.path("lastTimestamp");
    if (last.isNull() || last.isMissingNode() || last.asText().isEmpty()) {
      last = e.path("eventTime");
    }
    JsonNode involved = e.path("involvedObject");
    String source =
        e.path("source").path("component").asText(e.path("reportingComponent").asText(""));
    String host = e.path("source").path("host").asText("");
    return List.of(
        Wire.age(last),
        e.path("type").asText(),
        e.path("reason").asText(),
        involved.path("kind").asText().toLowerCase(java.util.Locale.ROOT)
            + "/"
            + involved.path("name").asText(),
        involved.path("fieldPath").asText(""),
        host.isEmpty() ? source : source + ", " + host,
        e.path("message").asText().trim(),
        Wire.age(e.path("firstTimestamp")),
        String.valueOf(e.path("count").asInt(1)),
        name(e));
  }
}
