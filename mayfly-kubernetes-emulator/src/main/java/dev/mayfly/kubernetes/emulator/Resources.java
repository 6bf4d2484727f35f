package dev.mayfly.kubernetes.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mayfly.kubernetes.emulator.Discovery.Resource;
import dev.mayfly.kubernetes.emulator.Discovery.Target;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The API server's answers to everything but a pod's log and a WebSocket watch (see {@link
 * ApiFront}): health, discovery, the reviews of {@link Access}, and reads and writes of the
 * resources {@link Discovery} lists, kept by the mock server behind it.
 *
 * <p>What the mock server lacks is done here: lists of their own kind ({@code PodList}), sorted,
 * paged ({@code limit}, {@code continue}) and filtered by label and field selectors; {@code Table}s
 * for kubectl; watches over HTTP; {@code Status} bodies for failures; a Job's defaults (its
 * selector, and its pods' labels); a pod's graceful deletion, which the kubelet finishes ({@link
 * Cluster}); and 404 for any path it does not serve.
 */
final class Resources {
  /** What the front asks of the emulated cluster itself. */
  interface Cluster {
    /**
     * Deletes a pod as the API server does: one whose container runs is marked ({@code
     * deletionTimestamp}) and stays, terminating, until it ends; another goes at once. Null if
     * there is no such pod.
     */
    @Nullable JsonNode deletePod(String namespace, String name, @Nullable Long graceSeconds);

    /** Evicts a pod (the Eviction API); false if there is no such pod. */
    boolean evict(String namespace, String name);
  }

  private final Store store;
  private final Cluster cluster;
  private final Access access;
  private final WatchStream watches;
  private final String address;

  Resources(Store store, Cluster cluster, String address) {
    this.store = store;
    this.cluster = cluster;
    this.access = new Access(store);
    this.watches = new WatchStream(store);
    this.address = address;
  }

  void handle(ApiRequest request, InputStream in, OutputStream out)
      throws IOException, InterruptedException {
    String path = request.path();
    if (request.method().equals("GET")
        && List.of("/healthz", "/livez", "/readyz").contains(path.replaceAll("/+$", ""))) {
      Wire.reply(out, 200, "text/plain; charset=utf-8", "ok".getBytes(StandardCharsets.UTF_8));
      return;
    }
    if (request.method().equals("GET") && path.equals("/openapi/v2")) {
      // An empty OpenAPI v2 document (protobuf, as kubectl asks): kubectl before 1.27 validates
      // objects against it, and skips the kinds it does not describe.
      Wire.reply(
          out, 200, "application/com.github.proto-openapi.spec.v2@v1.0+protobuf", new byte[0]);
      return;
    }
    ObjectNode document = request.method().equals("GET") ? Discovery.document(path, address) : null;
    if (document != null) {
      Wire.reply(out, 200, document);
      return;
    }
    Target target = Discovery.target(path);
    if (target == null) {
      Wire.reply(
          out,
          404,
          Wire.status(404, "NotFound", "the server could not find the requested resource"));
      return;
    }
    try {
      if (!target.resource().stored()) {
        review(request, target, out);
      } else if (request.method().equals("GET")) {
        read(request, target, in, out);
      } else {
        write(request, target, out);
      }
    } catch (IllegalArgumentException e) {
      Wire.reply(out, 400, Wire.status(400, "BadRequest", String.valueOf(e.getMessage())));
    }
  }

  private void review(ApiRequest request, Target target, OutputStream out)
      throws IOException, InterruptedException {
    if (!request.method().equals("POST") || target.name() != null) {
      Wire.reply(out, 405, Wire.status(405, "MethodNotAllowed", "only create is allowed here"));
      return;
    }
    Access.User user = Access.user(request);
    JsonNode body = Wire.parse(request.body());
    ObjectNode answer =
        switch (target.resource().plural()) {
          case "selfsubjectreviews" -> access.whoami(user);
          case "selfsubjectaccessreviews" -> access.canI(user, body);
          default -> access.rules(user, body);
        };
    Wire.reply(out, 201, answer);
  }

  // ---- reads ----------------------------------------------------------------------------------

  private void read(ApiRequest request, Target target, InputStream in, OutputStream out)
      throws IOException, InterruptedException {
    Resource r = target.resource();
    Predicate<JsonNode> matches;
    try {
      matches =
          Selectors.matcher(
              r.plural(), request.param("labelSelector"), request.param("fieldSelector"));
    } catch (Selectors.BadSelector e) {
      Wire.reply(out, 400, Wire.status(400, "BadRequest", String.valueOf(e.getMessage())));
      return;
    }
    if (target.name() == null && request.flag("watch")) {
      watches.serve(request, target, matches, o -> present(r, o), in, out);
      return;
    }
    if (target.name() != null) {
      Store.Answer answer = store.get(objectPath(target));
      if (answer.code() == 404) {
        Wire.reply(out, 404, Wire.notFound(r.group(), r.plural(), String.valueOf(target.name())));
        return;
      }
      JsonNode object = present(r, answer.json());
      Wire.reply(
          out,
          answer.code(),
          request.wantsTable()
              ? Tables.table(
                  r.plural(),
                  List.of(object),
                  object.path("metadata").path("resourceVersion").asText(),
                  request.param("includeObject"))
              : object);
      return;
    }
    list(request, target, matches, out);
  }

  private void list(
      ApiRequest request, Target target, Predicate<JsonNode> matches, OutputStream out)
      throws IOException, InterruptedException {
    Resource r = target.resource();
    Store.Answer answer = store.get(r.collection(target.namespace()));
    JsonNode body = answer.json();
    String version = body.path("metadata").path("resourceVersion").asText("0");
    List<JsonNode> items =
        sorted(body.path("items")).stream().filter(matches).map(o -> present(r, o)).toList();
    int from = 0;
    String cont = request.param("continue");
    if (cont != null && !cont.isEmpty()) {
      try {
        from =
            Integer.parseInt(new String(Base64.getDecoder().decode(cont), StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        Wire.reply(out, 410, Wire.status(410, "Expired", "the continue token is not valid"));
        return;
      }
    }
    String limitParam = request.param("limit");
    int limit = limitParam == null ? 0 : Integer.parseInt(limitParam);
    int to = limit > 0 ? Math.min(items.size(), from + limit) : items.size();
    List<JsonNode> page = items.subList(Math.min(from, items.size()), to);
    ObjectNode list;
    if (request.wantsTable()) {
      list = Tables.table(r.plural(), page, version, request.param("includeObject"));
    } else {
      list = Wire.object().put("kind", r.kind() + "List").put("apiVersion", r.groupVersion());
      list.putObject("metadata").put("resourceVersion", version);
      ArrayNode array = list.putArray("items");
      page.forEach(array::add);
    }
    if (to < items.size()) {
      ((ObjectNode) list.path("metadata"))
          .put(
              "continue",
              Base64.getEncoder()
                  .encodeToString(String.valueOf(to).getBytes(StandardCharsets.UTF_8)))
          .put("remainingItemCount", items.size() - to);
    }
    Wire.reply(out, 200, list);
  }

  /** Objects as the API server lists them: by namespace, then name. */
  static List<JsonNode> sorted(JsonNode items) {
    List<JsonNode> all = new ArrayList<>();
    items.forEach(all::add);
    all.sort(
        Comparator.comparing((JsonNode o) -> o.path("metadata").path("namespace").asText())
            .thenComparing(o -> o.path("metadata").path("name").asText()));
    return all;
  }

  /**
   * An object as clients see it: of its kind and version, without the emulated kubelet's own
   * finalizer (which keeps a terminating pod in the store until its process has ended).
   */
  static JsonNode present(Resource r, JsonNode object) {
    if (!object.isObject()) {
      return object;
    }
    ObjectNode o = ((ObjectNode) object).deepCopy();
    if (!o.has("kind")) {
      o.put("kind", r.kind());
    }
    if (!o.has("apiVersion")) {
      o.put("apiVersion", r.groupVersion());
    }
    JsonNode finalizers = o.path("metadata").path("finalizers");
    if (finalizers.isArray()) {
      ArrayNode kept = Wire.JSON.createArrayNode();
      finalizers.forEach(
          f -> {
            if (!f.asText().equals(Kubelet.FINALIZER)) {
              kept.add(f);
            }
          });
      if (kept.isEmpty()) {
        ((ObjectNode) o.path("metadata")).remove("finalizers");
      } else {
        ((ObjectNode) o.path("metadata")).set("finalizers", kept);
      }
    }
    return o;
  }

  private static String objectPath(Target t) {
    return t.resource().collection(t.namespace())
        + "/"
        + t.name()
        + (t.subresource() == null ? "" : "/" + t.subresource());
  }

  // ---- writes ---------------------------------------------------------------------------------

  private void write(ApiRequest request, Target target, OutputStream out)
      throws IOException, InterruptedException {
    Resource r = target.resource();
    String method = request.method();
    String name = target.name();
    if (Protobuf.is(request.body())
        && !method.equals("DELETE")
        && !"eviction".equals(target.subresource())) {
      Wire.reply(
          out,
          415,
          Wire.status(
              415,
              "UnsupportedMediaType",
              "the emulated API server reads objects in JSON, not protobuf: write them from a"
                  + " file (kubectl create -f, kubectl apply -f)"));
      return;
    }
    if (method.equals("POST") && name != null && "eviction".equals(target.subresource())) {
      if (!cluster.evict(target.namespace() == null ? "" : target.namespace(), name)) {
        Wire.reply(out, 404, Wire.notFound("", "pods", name));
      } else {
        Wire.reply(out, 201, Wire.success());
      }
      return;
    }
    if (method.equals("POST") && name == null) {
      create(request, target, out);
      return;
    }
    if (name == null || (method.equals("DELETE") && target.subresource() != null)) {
      Wire.reply(out, 405, Wire.status(405, "MethodNotAllowed", method + " is not allowed here"));
      return;
    }
    if (method.equals("DELETE") && r.plural().equals("pods")) {
      JsonNode pod =
          cluster.deletePod(
              target.namespace() == null ? "" : target.namespace(), name, grace(request));
      if (pod == null) {
        Wire.reply(out, 404, Wire.notFound("", "pods", name));
      } else {
        Wire.reply(out, 200, present(r, pod));
      }
      return;
    }
    String contentType = request.header("content-type");
    if (method.equals("PATCH") && contentType != null) {
      if (contentType.startsWith("application/apply-patch")) {
        Wire.reply(
            out,
            415,
            Wire.status(415, "UnsupportedMediaType", "server-side apply is not emulated"));
        return;
      }
      if (contentType.startsWith("application/strategic-merge-patch+json")) {
        contentType = "application/merge-patch+json"; // the same for maps; lists are replaced
      }
    }
    if (!List.of("PUT", "PATCH", "DELETE").contains(method)) {
      Wire.reply(out, 405, Wire.status(405, "MethodNotAllowed", method + " is not allowed here"));
      return;
    }
    Store.Answer answer =
        store.send(
            method,
            objectPath(target),
            contentType,
            method.equals("DELETE") ? new byte[0] : request.body());
    relay(answer, r, name, out);
  }

  private void create(ApiRequest request, Target target, OutputStream out)
      throws IOException, InterruptedException {
    Resource r = target.resource();
    if (request.param("dryRun") != null) {
      Wire.reply(out, 201, present(r, Wire.parse(request.body())));
      return;
    }
    Store.Answer answer =
        store.send("POST", r.collection(target.namespace()), "application/json", request.body());
    if (answer.ok() && r.plural().equals("jobs")) {
      Store.Answer defaulted = defaultJob(answer.json());
      if (defaulted.ok()) {
        answer = new Store.Answer(201, defaulted.body());
      }
    }
    relay(answer, r, "", out);
  }

  /**
   * A new Job's defaults, as the API server sets them: a selector on its own uid, which its pods'
   * labels match ({@code kubectl logs job/NAME} finds its pods by it), one completion at a time,
   * six retries of the pod unless it says otherwise.
   */
  private Store.Answer defaultJob(JsonNode job) throws IOException, InterruptedException {
    String uid = job.path("metadata").path("uid").asText();
    String name = job.path("metadata").path("name").asText();
    ObjectNode patch = Wire.object();
    ObjectNode spec = patch.putObject("spec");
    JsonNode current = job.path("spec");
    if (!current.has("selector")) {
      spec.putObject("selector").putObject("matchLabels").put(JobController.UID_LABEL, uid);
      spec.putObject("template")
          .putObject("metadata")
          .putObject("labels")
          .put(JobController.UID_LABEL, uid)
          .put("controller-uid", uid)
          .put(JobController.NAME_LABEL, name)
          .put("job-name", name);
    }
    for (String field : List.of("completions", "parallelism")) {
      if (!current.has(field)) {
        spec.put(field, 1);
      }
    }
    if (!current.has("backoffLimit")) {
      spec.put("backoffLimit", 6);
    }
    if (!current.has("completionMode")) {
      spec.put("completionMode", "NonIndexed");
    }
    if (!current.has("suspend")) {
      spec.put("suspend", false);
    }
    return store.send(
        "PATCH",
        Discovery.resource("batch", "jobs")
                .collection(job.path("metadata").path("namespace").asText())
            + "/"
            + name,
        "application/merge-patch+json",
        Wire.bytes(patch));
  }

  /** The store's answer, as the API server would give it: a Status for a failure. */
  private static void relay(Store.Answer answer, Resource r, String name, OutputStream out)
      throws IOException {
    if (answer.code() == 404) {
      Wire.reply(out, 404, Wire.notFound(r.group(), r.plural(), name));
      return;
    }
    JsonNode body;
    try {
      body = answer.json();
    } catch (IllegalArgumentException e) {
      body =
          Wire.status(
              answer.code(), "InternalError", new String(answer.body(), StandardCharsets.UTF_8));
    }
    if (!answer.ok() && !body.has("kind")) {
      body = Wire.status(answer.code(), "InternalError", "the store answered " + answer.code());
    }
    Wire.reply(
        out, answer.code() == 202 ? 200 : answer.code(), answer.ok() ? present(r, body) : body);
  }

  /** A delete's grace period: the query's, or the body's {@code DeleteOptions}. */
  private static @Nullable Long grace(ApiRequest request) {
    String q = request.param("gracePeriodSeconds");
    if (q != null) {
      return Long.parseLong(q);
    }
    JsonNode options = Wire.parse(request.body());
    return options.has("gracePeriodSeconds") ? options.path("gracePeriodSeconds").asLong() : null;
  }
}
