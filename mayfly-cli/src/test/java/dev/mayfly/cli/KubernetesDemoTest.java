package dev.mayfly.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mayfly.cli.demo.DemoRepository;
import dev.mayfly.internal.jobs.Json;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kubernetes story as a user runs it: {@code mayfly kubernetes-emulator} in one process, the
 * demo in another, pointed at it by nothing but {@code KUBECONFIG}.
 */
@Tag("processes")
class KubernetesDemoTest {
  @TempDir Path dir;
  private final List<Process> processes = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (Process p : processes) {
      p.destroy();
      p.waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void theDemoRunsInEmulatedPodsAndTheirOutputReachesMayfly() throws Exception {
    String db = dir.resolve("store.db").toString();
    Path kubeconfig = startEmulator(db);

    Process p = startDemo(kubeconfig, db, 8);
    assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
    String log = Files.readString(dir.resolve("demo.log"));
    assertThat(p.exitValue()).as(log).isZero();
    assertThat(log).contains("8 succeeded");

    JsonNode runners = Json.mapper().readTree(cli("runners", "--json", "--db", db));
    assertThat(runners)
        .isNotEmpty()
        .allSatisfy(
            r -> {
              assertThat(r.get("launcher").asText()).isEqualTo("kubernetes");
              assertThat(r.get("exitCode").asInt()).isZero();
              // the pod's name, as kubectl shows it: the Job's name and five characters
              assertThat(r.get("platformId").asText())
                  .matches("mayfly-" + r.get("id").asText() + "-[a-z0-9]{5}");
            });
    String runner = runners.get(0).get("id").asText();
    assertThat(cli("runners", "--output", runner, "--db", db))
        .as("the pod's output, followed into Mayfly")
        .contains("mayfly runner " + runner + " exiting");
    try (KubernetesClient cluster =
        new KubernetesClientBuilder()
            .withConfig(io.fabric8.kubernetes.client.Config.fromKubeconfig(kubeconfig.toFile()))
            .build()) {
      // each Job is deleted before its runner's end is recorded, which the demo waits for
      assertThat(cluster.batch().v1().jobs().list().getItems()).as("Jobs left").isEmpty();
      // and its pods follow, as Kubernetes' garbage collector deletes them: in the background
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> cluster.pods().list().getItems().isEmpty());
    }
    assertThat(Files.readString(dir.resolve("emulator.log")))
        .contains("Kubernetes API emulator on http://127.0.0.1:")
        .doesNotContain("WARNING");
  }

  @Test
  void aDemoWhoseRunnersWouldOpenAnotherStoreSaysSoAndEnds() throws Exception {
    Path kubeconfig = startEmulator(dir.resolve("theirs.db").toString());
    String mine = dir.resolve("mine.db").toString();

    Process p = startDemo(kubeconfig, mine, 2);
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
    String log = Files.readString(dir.resolve("demo.log"));
    assertThat(p.exitValue()).as(log).isEqualTo(1);
    assertThat(log)
        .contains("no runner can start, so its jobs stay queued")
        .contains("theirs.db")
        .contains("mine.db");
    JsonNode runners = Json.mapper().readTree(cli("runners", "--json", "--db", mine));
    assertThat(runners.size()).as("runners launched").isLessThanOrEqualTo(1);
  }

  /** `mayfly kubernetes-emulator` whose Secret names {@code db}; returns its kubeconfig. */
  private Path startEmulator(String db) throws Exception {
    Path kubeconfig = dir.resolve("kube").resolve("config");
    Process emulator =
        CliProcess.of(
                dir.resolve("emulator.log"),
                "kubernetes-emulator",
                "--port",
                "0",
                "--kubeconfig",
                kubeconfig.toString(),
                "--db",
                db)
            .directory(dir.toFile())
            .start();
    processes.add(emulator);
    // written once the cluster serves, with its Secret and image in place
    await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(kubeconfig));
    return kubeconfig;
  }

  /** `mayfly demo --exit` on {@code db}, pointed at the cluster by its kubeconfig alone. */
  private Process startDemo(Path kubeconfig, String db, int jobs) throws Exception {
    Path repo = DemoRepository.pick(null, dir, dir.resolve("demo-repo"), 1).repo();
    ProcessBuilder demo =
        CliProcess.of(
                dir.resolve("demo.log"),
                "demo",
                "--exit",
                "--jobs",
                Integer.toString(jobs),
                "--db",
                db,
                "--repo",
                repo.toString())
            .directory(dir.toFile());
    // the kubeconfig alone: it names the runners' image and Secret too
    demo.environment().put("KUBECONFIG", kubeconfig.toString());
    demo.environment().remove("MAYFLY_KUBERNETES_IMAGE");
    demo.environment().remove("MAYFLY_KUBERNETES_SECRET");
    Process p = demo.start();
    processes.add(p);
    return p;
  }

  private static String cli(String... args) {
    StringWriter out = new StringWriter();
    Main.run(new PrintWriter(out, true), new PrintWriter(new StringWriter()), args);
    return out.toString();
  }
}
