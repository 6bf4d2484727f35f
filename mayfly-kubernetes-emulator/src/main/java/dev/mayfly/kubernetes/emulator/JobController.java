package dev.mayfly.kubernetes.emulator;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.lang.System.Logger.Level;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The Job controller and the garbage collector: one pod per Job (a replacement for a disrupted one,
 * as {@code podFailurePolicy: Ignore} on {@code DisruptionTarget} asks), the Job's status while it
 * runs ({@code startTime}, {@code active}, {@code ready}) and when it ends (its conditions, {@code
 * succeeded} or {@code failed}), {@code activeDeadlineSeconds}, {@code ttlSecondsAfterFinished},
 * and the pods of a deleted Job deleted (gracefully) after it, each step recorded as an Event as
 * Kubernetes' own controllers record them.
 */
final class JobController implements Kubelet.Owner {
  private static final System.Logger LOG = System.getLogger("dev.mayfly.kubernetes.emulator");
  static final String UID_LABEL = "batch.kubernetes.io/controller-uid";
  static final String NAME_LABEL = "batch.kubernetes.io/job-name";
  private static final String CONTROLLER = "job-controller";

  private final KubernetesClient admin;
  private final Kubelet kubelet;
  private final Events events;
  private final ScheduledExecutorService timers;
  private final Random random;
  private final LongSupplier pendingMillis;
  private final AtomicInteger podsCreated = new AtomicInteger();
  private final Set<String> controlled = ConcurrentHashMap.newKeySet();

  JobController(
      KubernetesClient admin,
      Kubelet kubelet,
      Events events,
      ScheduledExecutorService timers,
      Random random,
      LongSupplier pendingMillis) {
    this.admin = admin;
    this.kubelet = kubelet;
    this.events = events;
    this.timers = timers;
    this.random = random;
    this.pendingMillis = pendingMillis;
    kubelet.owner(this);
  }

  int podsCreated() {
    return podsCreated.get();
  }

  void added(Job job) {
    // The mock server's watch may announce a Job again (it answers some status writes with
    // ADDED): the controller acts once per Job, as Kubernetes' does through its expectations.
    if (!controlled.add(job.getMetadata().getUid())) {
      return;
    }
    editStatus(job, s -> s.withStartTime(Wire.now()));
    createPod(job);
    Long deadline = job.getSpec().getActiveDeadlineSeconds();
    if (deadline != null) {
      var unused = timers.schedule(() -> deadlineExceeded(job), deadline, TimeUnit.SECONDS);
    }
  }

  private void createPod(Job job) {
    String ns = job.getMetadata().getNamespace();
    String jobName = job.getMetadata().getName();
    String name = jobName + "-" + suffix();
    Map<String, String> labels = new HashMap<>();
    var template = job.getSpec().getTemplate();
    if (template.getMetadata() != null && template.getMetadata().getLabels() != null) {
      labels.putAll(template.getMetadata().getLabels());
    }
    labels.put("job-name", jobName);
    labels.put(NAME_LABEL, jobName);
    labels.put("controller-uid", job.getMetadata().getUid());
    labels.put(UID_LABEL, job.getMetadata().getUid());
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(ns)
            .withLabels(labels)
            .addNewOwnerReference()
            .withApiVersion("batch/v1")
            .withKind("Job")
            .withName(jobName)
            .withUid(job.getMetadata().getUid())
            .withController(true)
            .withBlockOwnerDeletion(true)
            .endOwnerReference()
            .endMetadata()
            .withSpec(template.getSpec())
            .editSpec()
            .withSchedulerName("default-scheduler")
            .withTerminationGracePeriodSeconds(
                template.getSpec().getTerminationGracePeriodSeconds() == null
                    ? Long.valueOf(30)
                    : template.getSpec().getTerminationGracePeriodSeconds())
            .endSpec()
            .withNewStatus()
            .withPhase("Pending")
            .endStatus()
            .build();
    Pod created;
    try {
      created = admin.pods().inNamespace(ns).resource(pod).create();
    } catch (KubernetesClientException e) {
      LOG.log(Level.DEBUG, "pod {0} not created: {1}", name, e.getMessage());
      return;
    }
    podsCreated.incrementAndGet();
    events.record(
        job, Events.NORMAL, "SuccessfulCreate", "Created pod: " + name, CONTROLLER, null, null);
    editStatus(job, s -> s.withActive(1).withReady(0).withTerminating(0));
    long wait;
    synchronized (random) {
      wait = 1 + random.nextLong(pendingMillis.getAsLong());
    }
    var unused =
        timers.schedule(
            () -> kubelet.start(ns, created.getMetadata().getName()), wait, TimeUnit.MILLISECONDS);
  }

  private String suffix() {
    String chars = "bcdfghjklmnpqrstvwxz2456789";
    StringBuilder b = new StringBuilder();
    synchronized (random) {
      for (int i = 0; i < 5; i++) {
        b.append(chars.charAt(random.nextInt(chars.length())));
      }
    }
    return b.toString();
  }

  @Override
  public void podRunning(Pod pod) {
    Job job = jobOf(pod);
    if (job != null && !finished(job)) {
      editStatus(job, s -> s.withReady(1));
    }
  }

  @Override
  public void podEnded(Pod pod, int exitCode, boolean disrupted) {
    Job job = jobOf(pod);
    if (job == null || finished(job)) {
      return;
    }
    if (disrupted) {
      // podFailurePolicy Ignore on DisruptionTarget: not counted, and the Job makes a new pod
      editStatus(job, s -> s.withReady(0));
      createPod(job);
      return;
    }
    if (exitCode == 0) {
      finish(job, "Complete", "CompletionsReached", "Reached expected number of succeeded pods");
    } else {
      finish(job, "Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit");
    }
  }

  private @Nullable Job jobOf(Pod pod) {
    String name =
        pod.getMetadata().getLabels() == null
            ? null
            : pod.getMetadata().getLabels().get(NAME_LABEL);
    if (name == null) {
      return null;
    }
    Job job =
        admin
            .batch()
            .v1()
            .jobs()
            .inNamespace(pod.getMetadata().getNamespace())
            .withName(name)
            .get();
    String uid = pod.getMetadata().getLabels().get(UID_LABEL);
    return job != null && job.getMetadata().getUid().equals(uid) ? job : null;
  }

  private void deadlineExceeded(Job job) {
    String ns = job.getMetadata().getNamespace();
    Job now = admin.batch().v1().jobs().inNamespace(ns).withName(job.getMetadata().getName()).get();
    if (now == null
        || !now.getMetadata().getUid().equals(job.getMetadata().getUid())
        || finished(now)) {
      return;
    }
    finish(now, "Failed", "DeadlineExceeded", "Job was active longer than specified deadline");
    for (Pod p : podsOf(now)) {
      if (kubelet.delete(ns, p.getMetadata().getName(), null) != null) {
        events.record(
            now,
            Events.NORMAL,
            "SuccessfulDelete",
            "Deleted pod: " + p.getMetadata().getName(),
            CONTROLLER,
            null,
            null);
      }
    }
  }

  private List<Pod> podsOf(Job job) {
    return admin
        .pods()
        .inNamespace(job.getMetadata().getNamespace())
        .withLabel(UID_LABEL, job.getMetadata().getUid())
        .list()
        .getItems();
  }

  private static boolean finished(Job job) {
    return job.getStatus() != null
        && job.getStatus().getConditions() != null
        && job.getStatus().getConditions().stream()
            .anyMatch(c -> List.of("Complete", "Failed").contains(c.getType()));
  }

  /** The Job's end: its interim and final conditions, counts, and the TTL's timer. */
  private void finish(Job job, String type, String reason, String message) {
    boolean complete = type.equals("Complete");
    String at = Wire.now();
    String interim = complete ? "SuccessCriteriaMet" : "FailureTarget";
    boolean ended =
        editStatus(
            job,
            s ->
                s.withActive(null)
                    .withReady(0)
                    .withTerminating(0)
                    .withSucceeded(complete ? 1 : null)
                    .withFailed(complete ? null : 1)
                    .withCompletionTime(complete ? at : null)
                    .addToConditions(
                        new JobConditionBuilder()
                            .withType(interim)
                            .withStatus("True")
                            .withReason(reason)
                            .withMessage(message)
                            .withLastProbeTime(at)
                            .withLastTransitionTime(at)
                            .build(),
                        new JobConditionBuilder()
                            .withType(type)
                            .withStatus("True")
                            .withReason(reason)
                            .withMessage(message)
                            .withLastProbeTime(at)
                            .withLastTransitionTime(at)
                            .build()));
    if (!ended) {
      return; // deleted meanwhile
    }
    if (complete) {
      events.record(job, Events.NORMAL, "Completed", "Job completed", CONTROLLER, null, null);
    } else {
      events.record(job, Events.WARNING, reason, message, CONTROLLER, null, null);
    }
    Integer ttl = job.getSpec().getTtlSecondsAfterFinished();
    if (ttl != null) {
      String ns = job.getMetadata().getNamespace();
      String name = job.getMetadata().getName();
      var unused =
          timers.schedule(
              () -> {
                admin.batch().v1().jobs().inNamespace(ns).withName(name).delete();
              },
              ttl,
              TimeUnit.SECONDS);
    }
  }

  /** The garbage collector: a deleted Job's pods go after it, each as a deleted pod goes. */
  void deleted(Job job) {
    for (Pod p : podsOf(job)) {
      kubelet.delete(p.getMetadata().getNamespace(), p.getMetadata().getName(), null);
    }
  }

  private boolean editStatus(Job job, Consumer<JobStatusBuilder> change) {
    synchronized (this) {
      try {
        return admin
                .batch()
                .v1()
                .jobs()
                .inNamespace(job.getMetadata().getNamespace())
                .withName(job.getMetadata().getName())
                .editStatus(
                    j -> {
                      JobStatusBuilder s =
                          j.getStatus() == null
                              ? new JobStatusBuilder()
                              : new JobStatusBuilder(j.getStatus());
                      change.accept(s);
                      return new JobBuilder(j).withStatus(s.build()).build();
                    })
            != null;
      } catch (KubernetesClientException e) {
        LOG.log(Level.DEBUG, "status of {0}: {1}", job.getMetadata().getName(), e.getMessage());
        return false;
      }
    }
  }
}
