package dev.mayfly.kubernetes.emulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What the emulated API server serves, and its discovery documents: {@code /version}, {@code /api},
 * {@code /apis} and each group version's resource list, as kubectl and the official clients read
 * them before anything else. Anything not listed here is answered 404.
 */
final class Discovery {
  /** The Kubernetes version the emulated API server answers as. */
  static final String MAJOR = "1";

  static final String MINOR = "32";

  private static final List<String> CRUD =
      List.of("create", "delete", "get", "list", "patch", "update", "watch");
  private static final List<String> READ_WRITE = List.of("get", "patch", "update");

  /**
   * A kind of object the server serves: stored ones (kept by the mock server) and reviews (answered
   * from what is stored, never kept).
   */
  record Resource(
      String group,
      String version,
      String plural,
      String singular,
      String kind,
      boolean namespaced,
      List<String> verbs,
      List<String> shortNames,
      List<String> subresources,
      boolean stored) {
    String groupVersion() {
      return group.isEmpty() ? version : group + "/" + version;
    }

    /** The path of its collection, in {@code namespace} or across all. */
    String collection(@Nullable String namespace) {
      String root = group.isEmpty() ? "/api/v1" : "/apis/" + group + "/" + version;
      return root + (namespace == null ? "" : "/namespaces/" + namespace) + "/" + plural;
    }
  }

  static final List<Resource> RESOURCES =
      List.of(
          stored("", "pods", "Pod", true, List.of("po"), List.of("status", "log", "eviction")),
          stored("", "events", "Event", true, List.of("ev"), List.of()),
          stored("", "secrets", "Secret", true, List.of(), List.of()),
          stored("", "configmaps", "ConfigMap", true, List.of("cm"), List.of()),
          stored("", "serviceaccounts", "ServiceAccount", true, List.of("sa"), List.of()),
          stored("", "services", "Service", true, List.of("svc"), List.of("status")),
          stored("", "namespaces", "Namespace", false, List.of("ns"), List.of("status")),
          stored("", "nodes", "Node", false, List.of("no"), List.of("status")),
          stored("batch", "jobs", "Job", true, List.of(), List.of("status")),
          stored("rbac.authorization.k8s.io", "roles", "Role", true, List.of(), List.of()),
          stored(
              "rbac.authorization.k8s.io",
              "rolebindings",
              "RoleBinding",
              true,
              List.of(),
              List.of()),
          stored(
              "rbac.authorization.k8s.io",
              "clusterroles",
              "ClusterRole",
              false,
              List.of(),
              List.of()),
          stored(
              "rbac.authorization.k8s.io",
              "clusterrolebindings",
              "ClusterRoleBinding",
              false,
              List.of(),
              List.of()),
          review("authorization.k8s.io", "selfsubjectaccessreviews", "SelfSubjectAccessReview"),
          review("authorization.k8s.io", "selfsubjectrulesreviews", "SelfSubjectRulesReview"),
          review("authentication.k8s.io", "selfsubjectreviews", "SelfSubjectReview"));

  private Discovery() {}

  private static Resource stored(
      String group,
      String plural,
      String kind,
      boolean namespaced,
      List<String> shortNames,
      List<String> subresources) {
    return new Resource(
        group,
        "v1",
        plural,
        kind.toLowerCase(java.util.Locale.ROOT),
        kind,
        namespaced,
        CRUD,
        shortNames,
        subresources,
        true);
  }

  private static Resource review(String group, String plural, String kind) {
    return new Resource(
        group,
        "v1",
        plural,
        kind.toLowerCase(java.util.Locale.ROOT),
        kind,
        false,
        List.of("create"),
        List.of(),
        List.of(),
        false);
  }

  static Resource resource(String group, String plural) {
    return RESOURCES.stream()
        .filter(r -> r.group().equals(group) && r.plural().equals(plural))
        .findFirst()
        .orElseThrow();
  }

  /** What a resource path names: which resource, in which namespace, which object and part. */
  record Target(
      Resource resource,
      @Nullable String namespace,
      @Nullable String name,
      @Nullable String subresource) {}

  /** The target of a path under {@code /api/v1} or {@code /apis/GROUP/VERSION}, or null. */
  static @Nullable Target target(String path) {
    String[] s = path.replaceAll("^/+|/+$", "").split("/", -1);
    String group;
    int at;
    if (s.length >= 3 && s[0].equals("api") && s[1].equals("v1")) {
      group = "";
      at = 2;
    } else if (s.length >= 4 && s[0].equals("apis") && s[2].equals("v1")) {
      group = s[1];
      at = 3;
    } else {
      return null;
    }
    String namespace = null;
    if (s.length - at >= 3 && s[at].equals("namespaces") && find(group, s[at + 2]) != null) {
      namespace = s[at + 1];
      at += 2;
    }
    Resource r = find(group, s[at]);
    if (r == null || (namespace != null && !r.namespaced()) || s.length - at > 3) {
      return null;
    }
    String name = s.length - at > 1 ? s[at + 1] : null;
    String sub = s.length - at > 2 ? s[at + 2] : null;
    if (sub != null && !r.subresources().contains(sub)) {
      return null;
    }
    if (name != null && r.namespaced() && namespace == null) {
      return null; // a namespaced object is named within its namespace
    }
    return new Target(r, namespace, name, sub);
  }

  private static @Nullable Resource find(String group, String plural) {
    return RESOURCES.stream()
        .filter(r -> r.group().equals(group) && r.plural().equals(plural))
        .findFirst()
        .orElse(null);
  }

  /** The discovery document at {@code path}, or null if there is none there. */
  static @Nullable ObjectNode document(String path, String serverAddress) {
    String p = path.replaceAll("/+$", "");
    if (p.equals("/version")) {
      return version();
    } else if (p.equals("/api")) {
      ObjectNode v = Wire.object().put("kind", "APIVersions");
      v.putArray("versions").add("v1");
      v.putArray("serverAddressByClientCIDRs")
          .addObject()
          .put("clientCIDR", "0.0.0.0/0")
          .put("serverAddress", serverAddress);
      return v;
    } else if (p.equals("/apis")) {
      ObjectNode list = Wire.object().put("kind", "APIGroupList").put("apiVersion", "v1");
      ArrayNode groups = list.putArray("groups");
      groups().forEach(g -> groups.add(group(g)));
      return list;
    } else if (p.equals("/api/v1")) {
      return resources("");
    } else if (p.equals("/openapi/v3")) {
      ObjectNode root = Wire.object();
      ObjectNode paths = root.putObject("paths");
      paths.putObject("api/v1").put("serverRelativeURL", "/openapi/v3/api/v1");
      for (String g : groups()) {
        paths
            .putObject("apis/" + g + "/v1")
            .put("serverRelativeURL", "/openapi/v3/apis/" + g + "/v1");
      }
      return root;
    } else if (p.startsWith("/openapi/v3/")) {
      String gv = p.substring("/openapi/v3/".length());
      if (gv.equals("api/v1")) {
        return openApi("");
      } else if (gv.startsWith("apis/")
          && gv.endsWith("/v1")
          && groups().contains(gv.split("/", -1)[1])) {
        return openApi(gv.split("/", -1)[1]);
      }
      return null;
    }
    String[] s = p.replaceAll("^/", "").split("/", -1);
    if (s.length >= 2 && s[0].equals("apis") && groups().contains(s[1])) {
      if (s.length == 2) {
        return group(s[1]);
      } else if (s.length == 3 && s[2].equals("v1")) {
        return resources(s[1]);
      }
    }
    return null;
  }

  private static Set<String> groups() {
    Set<String> groups = new LinkedHashSet<>();
    RESOURCES.stream().map(Resource::group).filter(g -> !g.isEmpty()).forEach(groups::add);
    return groups;
  }

  private static ObjectNode group(String name) {
    ObjectNode g = Wire.object().put("kind", "APIGroup").put("apiVersion", "v1");
    g.put("name", name);
    ObjectNode v1 = Wire.object().put("groupVersion", name + "/v1").put("version", "v1");
    g.putArray("versions").add(v1);
    g.set("preferredVersion", v1.deepCopy());
    return g;
  }

  private static ObjectNode resources(String group) {
    ObjectNode list = Wire.object().put("kind", "APIResourceList").put("apiVersion", "v1");
    list.put("groupVersion", group.isEmpty() ? "v1" : group + "/v1");
    ArrayNode items = list.putArray("resources");
    for (Resource r : RESOURCES) {
      if (!r.group().equals(group)) {
        continue;
      }
      ObjectNode item =
          items
              .addObject()
              .put("name", r.plural())
              .put("singularName", r.singular())
              .put("namespaced", r.namespaced())
              .put("kind", r.kind());
      r.verbs().forEach(item.putArray("verbs")::add);
      if (!r.shortNames().isEmpty()) {
        r.shortNames().forEach(item.putArray("shortNames")::add);
      }
      if (List.of("pods", "jobs", "services").contains(r.plural())) {
        item.putArray("categories").add("all");
      }
      for (String sub : r.subresources()) {
        ObjectNode s =
            items
                .addObject()
                .put("name", r.plural() + "/" + sub)
                .put("singularName", "")
                .put("namespaced", r.namespaced());
        switch (sub) {
          case "log" -> s.put("kind", "Pod").putArray("verbs").add("get");
          case "eviction" -> {
            s.put("group", "policy").put("version", "v1").put("kind", "Eviction");
            s.putArray("verbs").add("create");
          }
          default -> {
            s.put("kind", r.kind());
            READ_WRITE.forEach(s.putArray("verbs")::add);
          }
        }
      }
    }
    return list;
  }

  /**
   * A group version's OpenAPI document, as little of it as kubectl reads: that each kind's objects
   * take {@code PATCH} with {@code fieldValidation}, so kubectl leaves validation to the server
   * (which takes objects as they come) instead of fetching schemas for its own.
   */
  private static ObjectNode openApi(String group) {
    ObjectNode doc = Wire.object().put("openapi", "3.0.0");
    doc.putObject("info")
        .put("title", "Kubernetes")
        .put("version", "v" + MAJOR + "." + MINOR + ".0-mayfly-emulator");
    ObjectNode paths = doc.putObject("paths");
    for (Resource r : RESOURCES) {
      if (!r.group().equals(group) || !r.stored()) {
        continue;
      }
      ObjectNode path =
          paths.putObject(r.collection(r.namespaced() ? "{namespace}" : null) + "/{name}");
      ObjectNode patch = path.putObject("patch").put("operationId", "patch" + r.kind());
      patch
          .putObject("x-kubernetes-group-version-kind")
          .put("group", r.group())
          .put("version", r.version())
          .put("kind", r.kind());
      patch.putObject("responses").putObject("200").put("description", "OK");
      patch
          .putArray("parameters")
          .addObject()
          .put("name", "fieldValidation")
          .put("in", "query")
          .put("description", "How the server treats unknown or duplicate fields.")
          .putObject("schema")
          .put("type", "string");
    }
    return doc;
  }

  private static ObjectNode version() {
    return Wire.object()
        .put("major", MAJOR)
        .put("minor", MINOR)
        .put("gitVersion", "v" + MAJOR + "." + MINOR + ".0-mayfly-emulator")
        .put("gitCommit", "0000000000000000000000000000000000000000")
        .put("gitTreeState", "clean")
        .put("buildDate", "2026-01-01T00:00:00Z")
        .put("goVersion", "java" + Runtime.version().feature())
        .put("compiler", "mayfly")
        .put(
            "platform",
            System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT)
                + "/"
                + System.getProperty("os.arch"));
  }
}
