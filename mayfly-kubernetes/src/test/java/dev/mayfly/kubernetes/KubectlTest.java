package dev.mayfly.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mayfly.Mayfly;
import dev.mayfly.MayflyConfig;
import dev.mayfly.QueueConfig;
import dev.mayfly.api.AttemptInfo;
import dev.mayfly.api.Job;
import dev.mayfly.api.JobContext;
import dev.mayfly.api.JobState;
import dev.mayfly.api.JobType;
import dev.mayfly.api.Outcome;
import dev.mayfly.api.RunnerFilter;
import dev.mayfly.kubernetes.emulator.KubernetesEmulator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code kubectl} (and the official Python client) against the emulated cluster while
 * Mayfly runs jobs on it, pointed at it by the kubeconfig the emulator writes, as a user trying
 * {@code mayfly kubernetes-emulator} would.
 */
@Tag("processes")
class KubectlTest {
  private static final String NS = "mayfly";
  private static final String IMAGE = "mayfly-runner:emulated";

  @TempDir Path dir;
  private KubernetesEmulator cluster;
  private Path kubeconfig;
  private String db;
  private final List<Process> background = new ArrayList<>();

  /** A job that says when it ran (to a file, so that two runs at once would show) and prints. */
  @JobType(value = "kubectl-work", timeoutSeconds = 120)
  public static final class Work implements Job<Work.Args> {
    public record Args(String record, int lines, long pauseMillis) {}

    @Override
    public Outcome perform(Args args, JobContext ctx) throws Exception {
      Path record = Path.of(args.record());
      String pod = System.getenv("HOSTNAME");
      Files.writeString(
          record,
          "start " + pod + " " + Instant.now() + "\n",
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      try {
        for (int i = 0; i < args.lines(); i++) {
          System.out.println("line " + i + " of " + pod);
          Thread.sleep(args.pauseMillis()); // the job's work, spread over time
        }
      } finally {
        Files.writeString(
            record, "end " + pod + " " + Instant.now() + "\n", StandardOpenOption.APPEND);
      }
      return Outcome.success();
    }
  }

  @BeforeEach
  void start() throws IOException {
    db = "jdbc:sqlite:" + dir.resolve("store.db");
    cluster =
        KubernetesEmulator.start()
            .image(IMAGE, KubernetesTestJobs.javaImage("dev.mayfly.runner.RunnerMain"));
    cluster.secret(NS, "mayfly-db", Map.of("MAYFLY_DATABASE_URL", db));
    kubeconfig =
        cluster.writeKubeconfig(
            dir.resolve("kubeconfig"), NS, Map.of("image", IMAGE, "secret", "mayfly-db"));
  }

  @AfterEach
  void stop() throws InterruptedException {
    for (Process p : background) {
      p.destroy();
      p.waitFor(10, TimeUnit.SECONDS);
    }
    cluster.close();
  }

  /** Mayfly on the emulated cluster, found as a user's app finds it: by the kubeconfig alone. */
  private Mayfly mayfly() {
    return Mayfly.create(
            MayflyConfig.builder()
                .database(db)
                .environment(Map.of("KUBECONFIG", kubeconfig.toString()))
                .jobs(Work.class)
                .defaults(
                    QueueConfig.defaults("default")
                        .launcher("kubernetes")
                        .maxRunners(1)
                        .idleExit(Duration.ofMillis(300)))
                .build())
        .start();
  }

  private record Run(int code, String out, String err) {
    String all() {
      return out + err;
    }
  }

  private ProcessBuilder command(String... args) {
    List<String> cmd = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("HOME", dir.toString()); // kubectl's discovery cache stays here
    pb.environment().remove("KUBECONFIG");
    return pb;
  }

  private Run kubectl(String... args) throws Exception {
    return run(command(args), "kubectl " + String.join(" ", args));
  }

  private Run run(ProcessBuilder pb, String what) throws Exception {
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    Process p;
    try {
      p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    } catch (IOException e) {
      throw new IllegalStateException(
          what
              + ": this test runs kubectl and the Python client: install Debian's"
              + " kubernetes-client and python3-kubernetes (.ci/run does)",
          e);
    }
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).as("%s finished", what).isTrue();
    return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  /** Starts {@code kubectl ARGS} in the background, its output in the returned file. */
  private Path kubectlInBackground(String... args) throws IOException {
    Path out = Files.createTempFile(dir, "bg", ".txt");
    background.add(command(args).redirectErrorStream(true).redirectOutput(out.toFile()).start());
    return out;
  }

  /** The minor version of the kubectl on this machine (Debian 12 packages 1.20). */
  private int clientMinor() throws Exception {
    String json = kubectl("version", "--client", "-o", "json").out();
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("\"minor\":\\s*\"(\\d+)").matcher(json);
    assertThat(m.find()).as(json).isTrue();
    return Integer.parseInt(m.group(1));
  }

  private static String runningPod(KubernetesEmulator cluster) {
    return await()
        .atMost(Duration.ofMinutes(1))
        .until(cluster::runningPods, pods -> !pods.isEmpty())
        .getFirst()
        .split("/")[1];
  }

  private static String jobOf(String pod) {
    return pod.substring(0, pod.lastIndexOf('-'));
  }

  @Test
  void kubectlListsDescribesWatchesAndFollowsTheRunnersOfARunningDispatcher() throws Exception {
    Run resources = kubectl("api-resources");
    assertThat(resources.code()).as(resources.all()).isZero();
    assertThat(resources.out())
        .containsPattern("(?m)^jobs\\s+batch/v1\\s+true\\s+Job$")
        .containsPattern("(?m)^pods\\s+po\\s+v1\\s+true\\s+Pod$")
        .containsPattern("(?m)^events\\s+ev\\s+v1\\s+true\\s+Event$");
    assertThat(kubectl("version").out())
        .contains("Server Version: ")
        .contains("v1.32.0-mayfly-emulator");
    Path watch = kubectlInBackground("get", "pods", "--watch", "--output-watch-events");

    try (Mayfly mayfly = mayfly()) {
      long id = mayfly.enqueue(Work.class, new Work.Args(dir.resolve("runs").toString(), 40, 100));
      String pod = runningPod(cluster);
      String job = jobOf(pod);

      Run get = kubectl("get", "jobs,pods");
      assertThat(get.code()).as(get.all()).isZero();
      assertThat(get.out())
          .containsPattern("NAME\\s+STATUS\\s+COMPLETIONS\\s+DURATION\\s+AGE")
          .containsPattern("job\\.batch/" + job + "\\s+Running\\s+0/1\\s+\\d+s\\s+\\d+s")
          .containsPattern("NAME\\s+READY\\s+STATUS\\s+RESTARTS\\s+AGE")
          .containsPattern("pod/" + pod + "\\s+1/1\\s+Running\\s+0\\s+\\d+s");
      assertThat(
              kubectl(
                      "get",
                      "pods",
                      "-o",
                      "name",
                      "--field-selector",
                      "status.phase=Running",
                      "-l",
                      "mayfly.dev/queue=default,app.kubernetes.io/managed-by in (mayfly)")
                  .out())
          .isEqualTo("pod/" + pod + "\n");
      assertThat(kubectl("get", "pods", "--field-selector", "status.phase=Succeeded").all())
          .contains("No resources found in " + NS + " namespace.");

      Run describeJob = kubectl("describe", "job", job);
      assertThat(describeJob.code()).as(describeJob.all()).isZero();
      assertThat(describeJob.out())
          .containsPattern("Pods Statuses:\\s+1 Active \\(1 Ready\\) / 0 Succeeded / 0 Failed")
          .containsPattern(
              "Normal\\s+SuccessfulCreate\\s+\\S+\\s+job-controller\\s+Created pod: " + pod);
      Run describePod = kubectl("describe", "pod", pod);
      assertThat(describePod.out())
          .contains("Controlled By:  Job/" + job)
          .containsPattern("Normal\\s+Scheduled\\s+.*default-scheduler")
          .containsPattern("Normal\\s+Started\\s+\\S+\\s+kubelet\\s+Started container runner");

      // followed until the container ends, as the pod's log
      Run logs = kubectl("logs", "job/" + job, "--follow");
      assertThat(logs.code()).as(logs.all()).isZero();
      assertThat(logs.out()).contains("line 0 of " + pod, "line 39 of " + pod);

      await()
          .atMost(Duration.ofMinutes(1))
          .until(() -> mayfly.admin().job(id).orElseThrow().state() == JobState.SUCCEEDED);
      await()
          .atMost(Duration.ofMinutes(1))
          .until(() -> mayfly.admin().runners(RunnerFilter.all().alive(true)).isEmpty());
      // the watch saw the runner's pod come, run, and go with its deleted Job
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> Files.readString(watch).matches("(?s).*DELETED\\s+" + pod + "\\s.*"));
      assertThat(Files.readString(watch))
          .containsPattern("EVENT\\s+NAME\\s+READY\\s+STATUS\\s+RESTARTS\\s+AGE")
          .containsPattern("ADDED\\s+" + pod + "\\s+0/1\\s+Pending")
          .containsPattern("MODIFIED\\s+" + pod + "\\s+1/1\\s+Running")
          .containsPattern("MODIFIED\\s+" + pod + "\\s+0/1\\s+Completed");
    }

    assertThat(kubectl("auth", "can-i", "create", "jobs").out()).isEqualTo("yes\n");
    Run refused =
        kubectl("auth", "can-i", "create", "jobs", "--as", "system:serviceaccount:" + NS + ":app");
    assertThat(refused.code()).isEqualTo(1);
    assertThat(refused.out()).startsWith("no");
    // the Role of docs/kubernetes.md, bound to the app's service account
    Path role = dir.resolve("role.yaml");
    Files.writeString(
        role,
        String.join(
            "\n",
            "apiVersion: rbac.authorization.k8s.io/v1",
            "kind: Role",
            "metadata: {name: mayfly-dispatcher}",
            "rules:",
            "  - {apiGroups: [batch], resources: [jobs], verbs: [create, delete, get]}",
            "  - {apiGroups: [\"\"], resources: [pods], verbs: [get, list, watch]}",
            "  - {apiGroups: [\"\"], resources: [pods/log], verbs: [get]}",
            "---",
            "apiVersion: rbac.authorization.k8s.io/v1",
            "kind: RoleBinding",
            "metadata: {name: mayfly-dispatcher}",
            "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: mayfly-dispatcher}",
            "subjects:",
            "  - {kind: ServiceAccount, name: app}",
            ""));
    Run applied = kubectl("apply", "-f", role.toString());
    assertThat(applied.code()).as(applied.all()).isZero();
    String app = "system:serviceaccount:" + NS + ":app";
    assertThat(kubectl("auth", "can-i", "create", "jobs", "--as", app).out()).isEqualTo("yes\n");
    assertThat(kubectl("auth", "can-i", "get", "pods", "--subresource=log", "--as", app).out())
        .isEqualTo("yes\n");
    assertThat(kubectl("auth", "can-i", "delete", "pods", "--as", app).out()).startsWith("no");
    if (clientMinor() >= 27) { // kubectl auth whoami came in 1.27
      assertThat(kubectl("auth", "whoami").out()).containsPattern("Username\\s+kubernetes-admin");
    }
    assertThat(kubectl("cluster-info").out())
        .contains("Kubernetes control plane is running at " + cluster.url());
    // what the server does not serve is a 404, never a list of what it stores
    Run unknown = kubectl("get", "--raw", "/api/v1/namespaces/" + NS + "/nothing");
    assertThat(unknown.code()).isNotZero();
    assertThat(unknown.all()).contains("NotFound").doesNotContain("mayfly-db");
    assertThat(kubectl("get", "--raw", "/healthz").out()).isEqualTo("ok");
  }

  @Test
  void deletingTheJobOfARunningRunnerEndsItsJobOnceWithNoOverlappingAttempts() throws Exception {
    Path record = dir.resolve("runs");
    try (Mayfly mayfly = mayfly()) {
      long id = mayfly.enqueue(Work.class, new Work.Args(record.toString(), 10, 400));
      String pod = runningPod(cluster);
      await()
          .atMost(Duration.ofMinutes(1))
          .until(() -> mayfly.admin().job(id).orElseThrow().state() == JobState.RUNNING);

      Run deleted = kubectl("delete", "job", jobOf(pod));
      assertThat(deleted.code()).as(deleted.all()).isZero();
      assertThat(deleted.out()).contains("job.batch \"" + jobOf(pod) + "\" deleted");
      // the pod stays while its runner, given SIGTERM, finishes the job it runs
      assertThat(kubectl("get", "pod", pod).out()).containsPattern(pod + "\\s+1/1\\s+Terminating");
      assertThat(kubectl("get", "pod", pod, "-o", "jsonpath={.metadata.deletionTimestamp}").out())
          .isNotEmpty();

      await()
          .atMost(Duration.ofMinutes(1))
          .until(() -> mayfly.admin().job(id).orElseThrow().state() == JobState.SUCCEEDED);
      await()
          .atMost(Duration.ofMinutes(1))
          .until(() -> mayfly.admin().runners(RunnerFilter.all().alive(true)).isEmpty());
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> kubectl("get", "pods", "-o", "name").out().isEmpty());

      List<AttemptInfo> attempts = mayfly.admin().jobDetail(id).orElseThrow().attempts();
      assertThat(attempts).extracting(AttemptInfo::outcome).containsOnlyOnce("succeeded");
      for (int i = 1; i < attempts.size(); i++) {
        assertThat(attempts.get(i).startedAt())
            .as("attempt %d starts after attempt %d ended", i + 1, i)
            .isAfterOrEqualTo(attempts.get(i - 1).finishedAt());
      }
      // and the job's own record: it never ran twice at once
      List<String> runs = Files.readAllLines(record);
      assertThat(runs).hasSizeGreaterThanOrEqualTo(2);
      for (int i = 0; i < runs.size(); i++) {
        assertThat(runs.get(i)).startsWith(i % 2 == 0 ? "start " : "end ");
      }
      assertThat(cluster.maxRunning()).isEqualTo(1);
    }
  }

  @Test
  void thePythonClientListsAndWatchesTheRunnersPods() throws Exception {
    Path script = dir.resolve("pods.py");
    Files.writeString(
        script,
        String.join(
            "\n",
            "import sys",
            "from kubernetes import client, config, watch",
            "config.load_kube_config(config_file=sys.argv[1])",
            "v1 = client.CoreV1Api()",
            "if sys.argv[2] == 'list':",
            "    for p in v1.list_namespaced_pod('" + NS + "').items:",
            "        c = p.status.container_statuses[0]",
            "        print('pod', p.metadata.name, p.status.phase, c.image_id, c.restart_count)",
            "    for j in client.BatchV1Api().list_namespaced_job('" + NS + "').items:",
            "        print('job', j.metadata.name, j.status.active, j.spec.template.spec.containers[0].image)",
            "    for e in v1.list_namespaced_event('" + NS + "').items:",
            "        print('event', e.involved_object.kind, e.reason)",
            "else:",
            "    listed = v1.list_namespaced_pod('" + NS + "')",
            "    print('listed', len(listed.items), flush=True)",
            "    w = watch.Watch()",
            "    for ev in w.stream(v1.list_namespaced_pod, '" + NS + "',",
            "            resource_version=listed.metadata.resource_version, timeout_seconds=90):",
            "        p = ev['object']",
            "        print(ev['type'], p.metadata.name, p.status.phase, flush=True)",
            "        if ev['type'] == 'DELETED':",
            "            w.stop()",
            ""));
    Path watched = Files.createTempFile(dir, "watch", ".txt");
    try {
      background.add(
          new ProcessBuilder("/usr/bin/python3", script.toString(), kubeconfig.toString(), "watch")
              .redirectErrorStream(true)
              .redirectOutput(watched.toFile())
              .start());
    } catch (IOException e) {
      throw new IllegalStateException(
          "install python3-kubernetes for /usr/bin/python3 (.ci/run does)", e);
    }
    await()
        .atMost(Duration.ofMinutes(1))
        .until(() -> Files.readString(watched).contains("listed 0"));
    try (Mayfly mayfly = mayfly()) {
      long id = mayfly.enqueue(Work.class, new Work.Args(dir.resolve("runs").toString(), 30, 100));
      String pod = runningPod(cluster);
      Run listed =
          run(
              new ProcessBuilder(
                  "/usr/bin/python3", script.toString(), kubeconfig.toString(), "list"),
              "python3 list");
      assertThat(listed.code()).as(listed.all()).isZero();
      assertThat(listed.out())
          .containsPattern("pod " + pod + " Running mayfly-runner@sha256:[0-9a-f]{64} 0")
          .contains("job " + jobOf(pod) + " 1 " + IMAGE)
          .contains("event Pod Started", "event Job SuccessfulCreate");

      await()
          .atMost(Duration.ofMinutes(1))
          .until(() -> mayfly.admin().job(id).orElseThrow().state() == JobState.SUCCEEDED);
      Process watcher = background.getFirst();
      assertThat(watcher.waitFor(1, TimeUnit.MINUTES)).as(Files.readString(watched)).isTrue();
      assertThat(watcher.exitValue()).as(Files.readString(watched)).isZero();
      // from the list's resource version on: the pod comes (how far it got when the watch opened
      // may vary), runs, succeeds and goes
      assertThat(Files.readString(watched))
          .containsPattern("ADDED " + pod + " (Pending|Running)")
          .containsPattern("(ADDED|MODIFIED) " + pod + " Running")
          .contains("MODIFIED " + pod + " Succeeded", "DELETED " + pod + " Succeeded");
    }
  }
}
