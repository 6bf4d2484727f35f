package dev.mayfly.kubernetes.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Who a client is and what it may do, for {@code kubectl auth whoami} and {@code kubectl auth
 * can-i}: every client is the kubeconfig's user, {@code kubernetes-admin} in {@code
 * system:masters}, unless it impersonates another ({@code --as}, {@code --as-group}); what a user
 * may do is read from the RBAC objects the server holds (Roles, ClusterRoles and their bindings),
 * as the RBAC authorizer reads them. The emulator does not enforce them on other requests.
 */
final class Access {
  static final String ADMIN = "kubernetes-admin";
  private static final String AUTHORIZATION = "authorization.k8s.io/v1";

  record User(String name, List<String> groups) {}

  /** A set of rules granted to a user, and by what. */
  private record Grant(JsonNode rules, String by) {}

  private final Store store;

  Access(Store store) {
    this.store = store;
  }

  static User user(ApiRequest request) {
    String as = request.header("impersonate-user");
    if (as == null) {
      return new User(ADMIN, List.of("system:masters", "system:authenticated"));
    }
    List<String> groups = new ArrayList<>(request.headerValues("impersonate-group"));
    if (as.startsWith("system:serviceaccount:")) {
      String[] parts = as.split(":", -1);
      groups.add("system:serviceaccounts");
      if (parts.length == 4) {
        groups.add("system:serviceaccounts:" + parts[2]);
      }
    }
    if (!as.equals("system:anonymous")) {
      groups.add("system:authenticated");
    }
    return new User(as, List.copyOf(groups));
  }

  /** {@code SelfSubjectReview}: who the client is. */
  ObjectNode whoami(User user) {
    ObjectNode review =
        Wire.object()
            .put("kind", "SelfSubjectReview")
            .put("apiVersion", "authentication.k8s.io/v1");
    review.putObject("metadata").put("creationTimestamp", Wire.now());
    ObjectNode info = review.putObject("status").putObject("userInfo").put("username", user.name());
    user.groups().forEach(info.putArray("groups")::add);
    return review;
  }

  /** {@code SelfSubjectAccessReview}: may the client do what the spec says? */
  ObjectNode canI(User user, JsonNode review) throws IOException, InterruptedException {
    JsonNode spec = review.path("spec");
    JsonNode resource = spec.path("resourceAttributes");
    JsonNode path = spec.path("nonResourceAttributes");
    String namespace = resource.path("namespace").asText("");
    String by = null;
    for (Grant g : grants(user, namespace.isEmpty() ? null : namespace)) {
      for (JsonNode rule : g.rules()) {
        boolean allowed =
            spec.has("resourceAttributes")
                ? allows(
                    rule,
                    resource.path("verb").asText(),
                    resource.path("group").asText(""),
                    resource.path("resource").asText(""),
                    resource.path("subresource").asText(""),
                    resource.path("name").asText(""))
                : allowsPath(rule, path.path("verb").asText(), path.path("path").asText());
        if (allowed) {
          by = g.by();
          break;
        }
      }
      if (by != null) {
        break;
      }
    }
    ObjectNode answer =
        Wire.object().put("kind", "SelfSubjectAccessReview").put("apiVersion", AUTHORIZATION);
    answer.putObject("metadata").put("creationTimestamp", Wire.now());
    answer.set("spec", spec);
    ObjectNode status = answer.putObject("status").put("allowed", by != null);
    if (by != null) {
      status.put("reason", "RBAC: allowed by " + by);
    }
    return answer;
  }

  /** {@code SelfSubjectRulesReview}: everything the client may do in a namespace. */
  ObjectNode rules(User user, JsonNode review) throws IOException, InterruptedException {
    String namespace = review.path("spec").path("namespace").asText("");
    ObjectNode answer =
        Wire.object().put("kind", "SelfSubjectRulesReview").put("apiVersion", AUTHORIZATION);
    answer.putObject("metadata").put("creationTimestamp", Wire.now());
    answer.set("spec", review.path("spec"));
    ObjectNode status = answer.putObject("status");
    ArrayNode resources = status.putArray("resourceRules");
    ArrayNode paths = status.putArray("nonResourceRules");
    for (Grant g : grants(user, namespace.isEmpty() ? null : namespace)) {
      for (JsonNode rule : g.rules()) {
        if (rule.has("nonResourceURLs")) {
          ObjectNode r = paths.addObject();
          r.set("verbs", rule.path("verbs"));
          r.set("nonResourceURLs", rule.path("nonResourceURLs"));
        } else {
          ObjectNode r = resources.addObject();
          r.set("verbs", rule.path("verbs"));
          r.set("apiGroups", rule.path("apiGroups"));
          r.set("resources", rule.path("resources"));
          if (rule.has("resourceNames")) {
            r.set("resourceNames", rule.path("resourceNames"));
          }
        }
      }
    }
    status.put("incomplete", false);
    return answer;
  }

  /** The rules bound to the user cluster-wide, and in {@code namespace} if there is one. */
  private List<Grant> grants(User user, @Nullable String namespace)
      throws IOException, InterruptedException {
    List<Grant> grants = new ArrayList<>();
    String rbac = "/apis/rbac.authorization.k8s.io/v1";
    for (JsonNode binding : items(rbac + "/clusterrolebindings")) {
      String subject = subject(binding, user, null);
      JsonNode role =
          object(rbac + "/clusterroles/" + binding.path("roleRef").path("name").asText());
      if (subject != null && role != null) {
        grants.add(new Grant(role.path("rules"), describe(binding, role, subject)));
      }
    }
    if (namespace != null) {
      for (JsonNode binding : items(rbac + "/namespaces/" + namespace + "/rolebindings")) {
        String subject = subject(binding, user, namespace);
        JsonNode ref = binding.path("roleRef");
        JsonNode role =
            object(
                ref.path("kind").asText().equals("ClusterRole")
                    ? rbac + "/clusterroles/" + ref.path("name").asText()
                    : rbac + "/namespaces/" + namespace + "/roles/" + ref.path("name").asText());
        if (subject != null && role != null) {
          grants.add(new Grant(role.path("rules"), describe(binding, role, subject)));
        }
      }
    }
    return grants;
  }

  private static String describe(JsonNode binding, JsonNode role, String subject) {
    return binding.path("kind").asText()
        + " \""
        + binding.path("metadata").path("name").asText()
        + "\" of "
        + role.path("kind").asText()
        + " \""
        + role.path("metadata").path("name").asText()
        + "\" to "
        + subject;
  }

  /** The subject of {@code binding} that is the user, as RBAC names it, or null. */
  private static @Nullable String subject(JsonNode binding, User user, @Nullable String namespace) {
    for (JsonNode s : binding.path("subjects")) {
      String kind = s.path("kind").asText();
      String name = s.path("name").asText();
      boolean matches =
          switch (kind) {
            case "User" -> user.name().equals(name);
            case "Group" -> user.groups().contains(name);
            case "ServiceAccount" ->
                user.name()
                    .equals(
                        "system:serviceaccount:"
                            + s.path("namespace").asText(namespace == null ? "" : namespace)
                            + ":"
                            + name);
            default -> false;
          };
      if (matches) {
        return kind + " \"" + name + "\"";
      }
    }
    return null;
  }

  private static boolean allows(
      JsonNode rule, String verb, String group, String resource, String sub, String name) {
    String full = sub.isEmpty() ? resource : resource + "/" + sub;
    return has(rule.path("verbs"), verb)
        && has(rule.path("apiGroups"), group)
        && (has(rule.path("resources"), full)
            || (!sub.isEmpty() && contains(rule.path("resources"), "*/" + sub))
            || (!sub.isEmpty() && contains(rule.path("resources"), resource + "/*")))
        && (rule.path("resourceNames").isEmpty()
            || (!name.isEmpty() && contains(rule.path("resourceNames"), name)));
  }

  private static boolean allowsPath(JsonNode rule, String verb, String path) {
    if (!has(rule.path("verbs"), verb)) {
      return false;
    }
    for (JsonNode url : rule.path("nonResourceURLs")) {
      String u = url.asText();
      if (u.equals("*")
          || u.equals(path)
          || (u.endsWith("*") && path.startsWith(u.substring(0, u.length() - 1)))) {
        return true;
      }
    }
    return false;
  }

  private static boolean has(JsonNode values, String value) {
    return contains(values, "*") || contains(values, value);
  }

  private static boolean contains(JsonNode values, String value) {
    for (JsonNode v : values) {
      if (v.asText().equals(value)) {
        return true;
      }
    }
    return false;
  }

  private List<JsonNode> items(String path) throws IOException, InterruptedException {
    Store.Answer answer = store.get(path);
    List<JsonNode> items = new ArrayList<>();
    if (answer.ok()) {
      answer.json().path("items").forEach(items::add);
    }
    return items;
  }

  private @Nullable JsonNode object(String path) throws IOException, InterruptedException {
    Store.Answer answer = store.get(path);
    return answer.ok() ? answer.json() : null;
  }

  /** The RBAC a cluster starts with: administrators may do anything, everyone may ask. */
  static List<String> defaults() {
    String rbac = "\"apiVersion\":\"rbac.authorization.k8s.io/v1\"";
    return List.of(
        "{\"kind\":\"ClusterRole\","
            + rbac
            + ",\"metadata\":{\"name\":\"cluster-admin\"},\"rules\":["
            + "{\"apiGroups\":[\"*\"],\"resources\":[\"*\"],\"verbs\":[\"*\"]},"
            + "{\"nonResourceURLs\":[\"*\"],\"verbs\":[\"*\"]}]}",
        "{\"kind\":\"ClusterRoleBinding\","
            + rbac
            + ",\"metadata\":{\"name\":\"cluster-admin\"},"
            + "\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"ClusterRole\","
            + "\"name\":\"cluster-admin\"},\"subjects\":[{\"apiGroup\":\"rbac.authorization.k8s.io\","
            + "\"kind\":\"Group\",\"name\":\"system:masters\"}]}",
        "{\"kind\":\"ClusterRole\","
            + rbac
            + ",\"metadata\":{\"name\":\"system:basic-user\"},\"rules\":["
            + "{\"apiGroups\":[\"authorization.k8s.io\"],\"resources\":[\"selfsubjectaccessreviews\","
            + "\"selfsubjectrulesreviews\"],\"verbs\":[\"create\"]},"
            + "{\"apiGroups\":[\"authentication.k8s.io\"],\"resources\":[\"selfsubjectreviews\"],"
            + "\"verbs\":[\"create\"]}]}",
        "{\"kind\":\"ClusterRoleBinding\","
            + rbac
            + ",\"metadata\":{\"name\":\"system:basic-user\"},"
            + "\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"ClusterRole\","
            + "\"name\":\"system:basic-user\"},\"subjects\":[{\"apiGroup\":\"rbac.authorization.k8s.io\","
            + "\"kind\":\"Group\",\"name\":\"system:authenticated\"}]}");
  }
}
