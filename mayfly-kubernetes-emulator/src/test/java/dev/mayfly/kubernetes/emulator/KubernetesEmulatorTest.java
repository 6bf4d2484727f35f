package dev.mayfly.kubernetes.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The emulated cluster through fabric8's client: Jobs, pods as processes, and what it injects. */
@Tag("processes")
class KubernetesEmulatorTest {
  private static final String NS = "emulated";
  private static final String SHELL = "busybox:1.36";

  private KubernetesEmulator cluster;
  private KubernetesClient client;

  @BeforeEach
  void start() {
    cluster = KubernetesEmulator.start().image(SHELL, List.of());
    client = cluster.client(NS);
  }

  @AfterEach
  void stop() {
    client.close();
    cluster.close();
  }

  private static Job job(String name, String image, String script, String secret) {
    return RunnerJobs.of(name, image, script, secret);
  }

  private void create(Job job) {
    client.batch().v1().jobs().resource(job).create();
  }

  private List<Pod> podsOf(String job) {
    return client.pods().withLabel("job-name", job).list().getItems();
  }

  private ContainerStatus container(String job) {
    List<Pod> pods = podsOf(job);
    List<ContainerStatus> statuses =
        pods.isEmpty() ? null : pods.getFirst().getStatus().getContainerStatuses();
    return statuses == null || statuses.isEmpty() ? new ContainerStatus() : statuses.getFirst();
  }

  private List<String> conditions(String job) {
    Job j = client.batch().v1().jobs().withName(job).get();
    if (j == null || j.getStatus() == null || j.getStatus().getConditions() == null) {
      return List.of();
    }
    return j.getStatus().getConditions().stream().map(JobCondition::getType).toList();
  }

  @Test
  void aJobRunsOnePodAsALocalProcessWhoseExitCodeEndsTheJob() {
    cluster.secret(NS, "app", Map.of("GREETING", "hello"));
    create(job("works", SHELL, "echo $GREETING from $HOSTNAME", "app"));
    create(job("fails", SHELL, "exit 3", ""));

    await().atMost(Duration.ofMinutes(1)).until(() -> conditions("works").contains("Complete"));
    await().atMost(Duration.ofMinutes(1)).until(() -> conditions("fails").contains("Failed"));

    Pod worked = podsOf("works").getFirst();
    assertThat(worked.getStatus().getPhase()).isEqualTo("Succeeded");
    assertThat(container("works").getState().getTerminated().getExitCode()).isZero();
    assertThat(client.pods().withName(worked.getMetadata().getName()).getLog())
        .isEqualTo("hello from " + worked.getMetadata().getName() + "\n");
    assertThat(podsOf("fails").getFirst().getStatus().getPhase()).isEqualTo("Failed");
    assertThat(container("fails").getState().getTerminated().getExitCode()).isEqualTo(3);
    assertThat(client.batch().v1().jobs().withName("fails").get().getStatus().getFailed())
        .isEqualTo(1);
    assertThat(cluster.podsCreated()).isEqualTo(2);
  }

  @Test
  void aPodThatCannotStartWaitsWithTheReasonAClusterGives() {
    create(job("unpullable", "registry.example/nothing:1", "true", ""));
    create(job("no-secret", SHELL, "true", "missing"));

    await()
        .atMost(Duration.ofMinutes(1))
        .until(
            () -> container("unpullable").getState(),
            s ->
                s != null
                    && s.getWaiting() != null
                    && List.of("ErrImagePull", "ImagePullBackOff")
                        .contains(s.getWaiting().getReason()));
    await()
        .atMost(Duration.ofMinutes(1))
        .until(
            () -> container("no-secret").getState(),
            s ->
                s != null
                    && s.getWaiting() != null
                    && "CreateContainerConfigError".equals(s.getWaiting().getReason()));
    assertThat(container("no-secret").getState().getWaiting().getMessage())
        .isEqualTo("secret \"missing\" not found");
    assertThat(cluster.runningPods()).isEmpty();
  }

  @Test
  void anEvictedPodIsReplacedByItsJob() {
    create(job("evicted", SHELL, "while true; do sleep 0.1; done", ""));
    String first =
        await()
            .atMost(Duration.ofMinutes(1))
            .until(cluster::runningPods, p -> !p.isEmpty())
            .getFirst()
            .split("/")[1];

    assertThat(cluster.evict(NS, first)).isTrue();

    await().atMost(Duration.ofMinutes(1)).until(() -> cluster.podsCreated() == 2);
    await()
        .atMost(Duration.ofMinutes(1))
        .until(cluster::runningPods, p -> p.size() == 1 && !p.getFirst().equals(NS + "/" + first));
    assertThat(conditions("evicted")).doesNotContain("Failed", "Complete");
  }

  @Test
  void injectedFaultsAndRefusalsAnswerJobCallsWithoutActing() {
    // a client that does not retry, to see each answer
    Config once =
        new ConfigBuilder(Config.empty())
            .withMasterUrl(cluster.url())
            .withNamespace(NS)
            .withRequestRetryBackoffLimit(0)
            .build();
    try (KubernetesClient plain = new KubernetesClientBuilder().withConfig(once).build()) {
      cluster.failNext(1);
      assertThatThrownBy(
              () -> plain.batch().v1().jobs().resource(job("a", SHELL, "true", "")).create())
          .isInstanceOfSatisfying(
              KubernetesClientException.class, e -> assertThat(e.getCode()).isIn(500, 503, 429));
      assertThat(cluster.faultsInjected()).isEqualTo(1);

      cluster.refuse(403);
      assertThatThrownBy(
              () -> plain.batch().v1().jobs().resource(job("b", SHELL, "true", "")).create())
          .isInstanceOfSatisfying(
              KubernetesClientException.class,
              e -> {
                assertThat(e.getCode()).isEqualTo(403);
                assertThat(e.getMessage()).contains("forbidden");
              });
      assertThat(plain.batch().v1().jobs().list().getItems()).isEmpty();

      cluster.refuse(0);
      plain.batch().v1().jobs().resource(job("c", SHELL, "true", "")).create();
      assertThat(plain.batch().v1().jobs().list().getItems())
          .extracting(j -> j.getMetadata().getName())
          .containsExactly("c");
    }
  }

  @Test
  void aKubeconfigNamesTheServerTheNamespaceAndWhatMayflysRunnersNeed(@TempDir Path dir)
      throws Exception {
    Path file =
        cluster.writeKubeconfig(
            dir.resolve("kube/config"), NS, Map.of("image", "app:1", "secret", "db"));

    Config read = Config.fromKubeconfig(null, Files.readString(file), file.toString());
    assertThat(read.getMasterUrl()).startsWith(cluster.url());
    assertThat(read.getNamespace()).isEqualTo(NS);
    assertThat(Files.readString(file))
        .contains("- name: mayfly.dev/runner", "image: 'app:1'", "secret: 'db'");
    try (KubernetesClient fromFile = new KubernetesClientBuilder().withConfig(read).build()) {
      assertThat(fromFile.namespaces().withName(NS).get()).isNotNull();
    }
  }
}
