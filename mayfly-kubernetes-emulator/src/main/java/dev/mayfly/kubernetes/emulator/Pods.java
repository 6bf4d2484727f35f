package dev.mayfly.kubernetes.emulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * How the kubelet writes pods: one writer at a time (each edit reads the pod and writes it back, so
 * two must not interleave), metadata only the server sets written straight to the store, and the
 * parts of a pod's status as a kubelet fills them in.
 */
final class Pods {
  private static final System.Logger LOG = System.getLogger("dev.mayfly.kubernetes.emulator");

  private final KubernetesClient admin;
  private final Store store;

  Pods(KubernetesClient admin, Store store) {
    this.admin = admin;
    this.store = store;
  }

  @Nullable Pod get(String ns, String name) {
    return admin.pods().inNamespace(ns).withName(name).get();
  }

  void delete(String ns, String name) {
    admin.pods().inNamespace(ns).withName(name).delete();
  }

  /** A container's status as the Python client's model needs it whole. */
  static ContainerStatusBuilder status(Container c, @Nullable Process p) {
    return new ContainerStatusBuilder()
        .withName(c.getName())
        .withImage(c.getImage())
        .withImageID(p == null ? "" : imageId(c.getImage()))
        .withContainerID(p == null ? null : "emulated://" + p.pid())
        .withRestartCount(0)
        .withNewLastState()
        .endLastState();
  }

  /** An image's digest, as a runtime names what it pulled: made up, but stable. */
  private static String imageId(String image) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(image.getBytes(StandardCharsets.UTF_8));
      return image.replaceAll(":[^:/]*$", "") + "@sha256:" + HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String field(Container c) {
    return "spec.containers{" + c.getName() + "}";
  }

  static PodCondition condition(String type, boolean status, @Nullable String reason) {
    return new PodConditionBuilder()
        .withType(type)
        .withStatus(status ? "True" : "False")
        .withReason(reason)
        .withLastTransitionTime(Wire.now())
        .build();
  }

  /** The pod's QoS class, from its containers' requests and limits. */
  static String qos(Pod pod) {
    boolean any = false;
    boolean guaranteed = true;
    for (Container c : pod.getSpec().getContainers()) {
      ResourceRequirements r = c.getResources();
      Map<String, Quantity> requests =
          r == null || r.getRequests() == null ? Map.of() : r.getRequests();
      Map<String, Quantity> limits = r == null || r.getLimits() == null ? Map.of() : r.getLimits();
      any |= !requests.isEmpty() || !limits.isEmpty();
      for (String resource : List.of("cpu", "memory")) {
        Quantity limit = limits.get(resource);
        Quantity request = requests.getOrDefault(resource, limit);
        guaranteed &= limit != null && limit.equals(request);
      }
    }
    return !any ? "BestEffort" : guaranteed ? "Guaranteed" : "Burstable";
  }

  /** Lets a deleted pod go: without the kubelet's finalizer, the store removes it. */
  void release(String ns, String name) {
    Pod pod = admin.pods().inNamespace(ns).withName(name).get();
    if (pod != null) {
      patchMetadata(
          ns,
          name,
          Map.of(
              "finalizers",
              pod.getMetadata().getFinalizers().stream()
                  .filter(f -> !f.equals(Kubelet.FINALIZER))
                  .toList()));
    }
  }

  /**
   * Sets fields of a pod's metadata straight in the store (a JSON patch): fabric8's edits leave out
   * what only the server sets, such as {@code deletionTimestamp}.
   */
  @Nullable Pod patchMetadata(String ns, String name, Map<String, Object> fields) {
    ArrayNode patch = Wire.JSON.createArrayNode();
    fields.forEach(
        (field, value) ->
            patch
                .addObject()
                .put("op", "add")
                .put("path", "/metadata/" + field)
                .set("value", Wire.JSON.valueToTree(value)));
    synchronized (this) {
      try {
        Store.Answer answer =
            store.send(
                "PATCH",
                "/api/v1/namespaces/" + ns + "/pods/" + name,
                "application/json-patch+json",
                Wire.bytes(patch));
        return answer.ok() && answer.body().length > 0
            ? Serialization.unmarshal(new String(answer.body(), StandardCharsets.UTF_8), Pod.class)
            : null;
      } catch (IOException e) {
        LOG.log(Level.DEBUG, "pod {0}: {1}", name, e.getMessage());
        return null;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }
  }

  @Nullable Pod edit(String ns, String name, UnaryOperator<PodBuilder> change) {
    synchronized (this) {
      try {
        return admin
            .pods()
            .inNamespace(ns)
            .withName(name)
            .edit(p -> change.apply(new PodBuilder(p)).build());
      } catch (KubernetesClientException e) {
        LOG.log(Level.DEBUG, "pod {0}: {1}", name, e.getMessage()); // deleted meanwhile
        return null;
      }
    }
  }

  @Nullable Pod editStatus(String ns, String name, UnaryOperator<PodBuilder> change) {
    synchronized (this) {
      try {
        return admin
            .pods()
            .inNamespace(ns)
            .withName(name)
            .editStatus(p -> change.apply(new PodBuilder(p)).build());
      } catch (KubernetesClientException e) {
        LOG.log(Level.DEBUG, "status of {0}: {1}", name, e.getMessage()); // deleted meanwhile
        return null;
      }
    }
  }
}
