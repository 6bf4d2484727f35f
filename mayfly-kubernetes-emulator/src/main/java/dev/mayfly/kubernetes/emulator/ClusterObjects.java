package dev.mayfly.kubernetes.emulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What a new cluster holds before anyone uses it: its namespaces, its one node, and the RBAC that
 * lets administrators do anything and everyone ask what they may do.
 */
final class ClusterObjects {
  private ClusterObjects() {}

  static void create(Store store) throws IOException, InterruptedException {
    for (String ns : List.of("default", "kube-system", "kube-public", "kube-node-lease")) {
      namespace(store, ns);
    }
    store.send("POST", "/api/v1/nodes", "application/json", Wire.bytes(node()));
    String rbac = "/apis/rbac.authorization.k8s.io/v1/";
    for (String object : Access.defaults()) {
      String plural =
          object.contains("\"ClusterRoleBinding\"") ? "clusterrolebindings" : "clusterroles";
      store.send(
          "POST", rbac + plural, "application/json", object.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** Makes the namespace, unless there is one of that name. */
  static void namespace(Store store, String name) throws IOException, InterruptedException {
    if (store.get("/api/v1/namespaces/" + name).ok()) {
      return;
    }
    ObjectNode ns = Wire.object().put("apiVersion", "v1").put("kind", "Namespace");
    ns.putObject("metadata")
        .put("name", name)
        .putObject("labels")
        .put("kubernetes.io/metadata.name", name);
    ns.putObject("spec").putArray("finalizers").add("kubernetes");
    ns.putObject("status").put("phase", "Active");
    store.send("POST", "/api/v1/namespaces", "application/json", Wire.bytes(ns));
  }

  private static ObjectNode node() {
    String version = "v" + Discovery.MAJOR + "." + Discovery.MINOR + ".0-mayfly-emulator";
    ObjectNode node = Wire.object().put("apiVersion", "v1").put("kind", "Node");
    node.putObject("metadata")
        .put("name", Kubelet.NODE)
        .putObject("labels")
        .put("kubernetes.io/hostname", Kubelet.NODE)
        .put("kubernetes.io/os", "linux")
        .put("kubernetes.io/arch", "amd64");
    node.putObject("spec");
    ObjectNode status = node.putObject("status");
    status
        .putArray("conditions")
        .addObject()
        .put("type", "Ready")
        .put("status", "True")
        .put("reason", "KubeletReady")
        .put("message", "kubelet is posting ready status")
        .put("lastHeartbeatTime", Wire.now())
        .put("lastTransitionTime", Wire.now());
    status.putArray("addresses").addObject().put("type", "InternalIP").put("address", "127.0.0.1");
    ((com.fasterxml.jackson.databind.node.ArrayNode) status.path("addresses"))
        .addObject()
        .put("type", "Hostname")
        .put("address", Kubelet.NODE);
    int cpus = Runtime.getRuntime().availableProcessors();
    status.putObject("capacity").put("cpu", String.valueOf(cpus)).put("pods", "110");
    status.putObject("allocatable").put("cpu", String.valueOf(cpus)).put("pods", "110");
    status
        .putObject("nodeInfo")
        .put("architecture", "amd64")
        .put("bootID", "")
        .put("containerRuntimeVersion", "mayfly-emulator://1")
        .put("kernelVersion", System.getProperty("os.version"))
        .put("kubeProxyVersion", version)
        .put("kubeletVersion", version)
        .put("machineID", "")
        .put("operatingSystem", "linux")
        .put("osImage", "local processes")
        .put("systemUUID", "");
    return node;
  }
}
