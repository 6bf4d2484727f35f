package dev.mayfly.kubernetes.emulator;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The Events the emulated controllers and kubelet record, as {@code kubectl describe} and {@code
 * kubectl get events} show them: core/v1 Events about an object, named after it, kept for an hour
 * (the API server's {@code --event-ttl}).
 */
final class Events {
  private static final System.Logger LOG = System.getLogger("dev.mayfly.kubernetes.emulator");
  private static final long TTL_MINUTES = 60;

  static final String NORMAL = "Normal";
  static final String WARNING = "Warning";

  private final KubernetesClient admin;
  private final ScheduledExecutorService timers;
  private final AtomicLong sequence = new AtomicLong();

  Events(KubernetesClient admin, ScheduledExecutorService timers) {
    this.admin = admin;
    this.timers = timers;
  }

  /**
   * Records that {@code component} (on {@code host}, for a kubelet) saw {@code reason} happen to
   * {@code about}, or to its container at {@code fieldPath}.
   */
  void record(
      HasMetadata about,
      String type,
      String reason,
      String message,
      String component,
      @Nullable String host,
      @Nullable String fieldPath) {
    String ns = about.getMetadata().getNamespace();
    Instant now = Instant.now();
    String name =
        about.getMetadata().getName()
            + "."
            + Long.toHexString(now.getEpochSecond() * 1_000_000_000L + now.getNano())
            + Long.toHexString(sequence.incrementAndGet() & 0xfff);
    String at = Wire.time(now);
    Event event =
        new EventBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(ns)
            .endMetadata()
            .withNewInvolvedObject()
            .withApiVersion(about.getApiVersion())
            .withKind(about.getKind())
            .withName(about.getMetadata().getName())
            .withNamespace(ns)
            .withUid(about.getMetadata().getUid())
            .withResourceVersion(about.getMetadata().getResourceVersion())
            .withFieldPath(fieldPath)
            .endInvolvedObject()
            .withType(type)
            .withReason(reason)
            .withMessage(message)
            .withNewSource()
            .withComponent(component)
            .withHost(host)
            .endSource()
            .withReportingComponent(component)
            .withReportingInstance(host == null ? "" : host)
            .withFirstTimestamp(at)
            .withLastTimestamp(at)
            .withCount(1)
            .build();
    try {
      admin.v1().events().inNamespace(ns).resource(event).create();
      var unused =
          timers.schedule(
              () -> {
                try {
                  admin.v1().events().inNamespace(ns).withName(name).delete();
                } catch (KubernetesClientException e) {
                  // gone already
                }
              },
              TTL_MINUTES,
              TimeUnit.MINUTES);
    } catch (KubernetesClientException | java.util.concurrent.RejectedExecutionException e) {
      LOG.log(Level.DEBUG, "event {0} not recorded: {1}", reason, e.getMessage());
    }
  }
}
