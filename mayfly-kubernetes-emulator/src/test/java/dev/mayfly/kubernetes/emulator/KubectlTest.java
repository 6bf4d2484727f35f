package dev.mayfly.kubernetes.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * The real {@code kubectl} (and the official Python client) against the emulated cluster while Jobs
 * shaped as Mayfly's launcher makes them run on it, pointed at it by the kubeconfig the emulator
 * writes, as a user trying {@code mayfly kubernetes-emulator} would. (Mayfly's own runners under
 * {@code kubectl delete job} are the launcher's test: {@code KubectlDeleteJobTest}.)
 */
@Tag("processes")
class KubectlTest {
  private static final String NS = "mayfly";
  private static final String IMAGE = "mayfly-runner:emulated";

  @TempDir Path dir;
  private KubernetesEmulator cluster;
  private KubernetesClient client;
  private Path kubeconfig;
  private final List<Process> background = new ArrayList<>();

  @BeforeEach
  void start() throws IOException {
    // an image that runs what its container is told: each Job's shell script here
    cluster = KubernetesEmulator.start().image(IMAGE, List.of());
    cluster.secret(NS, "mayfly-db", Map.of("MAYFLY_DATABASE_URL", "jdbc:sqlite:/nowhere.db"));
    kubeconfig =
        cluster.writeKubeconfig(
            dir.resolve("kubeconfig"), NS, Map.of("image", IMAGE, "secret", "mayfly-db"));
    client = cluster.client(NS);
  }

  @AfterEach
  void stop() throws InterruptedException {
    for (Process p : background) {
      p.destroy();
      p.waitFor(10, TimeUnit.SECONDS);
    }
    client.close();
    cluster.close();
  }

  /** Starts a Job as the launcher starts a runner's, running {@code script}; returns its name. */
  private String runnerJob(String runner, String script) {
    String name = "mayfly-" + runner;
    client.batch().v1().jobs().resource(RunnerJobs.of(name, IMAGE, script, "mayfly-db")).create();
    return name;
  }

  /** A script that prints {@code lines} lines naming its pod, {@code pause} seconds apart. */
  private static String printing(int lines, String pause) {
    return "i=0; while [ $i -lt "
        + lines
        + " ]; do echo \"line $i of $HOSTNAME\"; sleep "
        + pause
        + "; i=$((i+1)); done";
  }

  private void awaitSucceeded(String job) {
    await()
        .atMost(Duration.ofMinutes(1))
        .until(
            () -> {
              Job j = client.batch().v1().jobs().withName(job).get();
              return j != null
                  && j.getStatus() != null
                  && Integer.valueOf(1).equals(j.getStatus().getSucceeded());
            });
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

  @Test
  void kubectlListsDescribesWatchesAndFollowsARunnersJobAndItsPod() throws Exception {
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

    String job = runnerJob("r-list", printing(40, "0.1"));
    String pod = runningPod(cluster);
    assertThat(pod).startsWith(job + "-");

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

    awaitSucceeded(job);
    // deleted once it ended, as the launcher deletes a finished runner's Job
    Run deleted = kubectl("delete", "job", job);
    assertThat(deleted.code()).as(deleted.all()).isZero();
    // the watch saw the runner's pod come, run, and go with its deleted Job
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> Files.readString(watch).matches("(?s).*DELETED\\s+" + pod + "\\s.*"));
    assertThat(Files.readString(watch))
        .containsPattern("EVENT\\s+NAME\\s+READY\\s+STATUS\\s+RESTARTS\\s+AGE")
        .containsPattern("ADDED\\s+" + pod + "\\s+0/1\\s+Pending")
        .containsPattern("MODIFIED\\s+" + pod + "\\s+1/1\\s+Running")
        .containsPattern("MODIFIED\\s+" + pod + "\\s+0/1\\s+Completed");

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
  void deletingTheJobOfARunningPodLeavesItTerminatingUntilItsProcessEndsOnSigterm()
      throws Exception {
    // given SIGTERM, the process finishes once the test lets it (a runner finishing its job)
    Path release = dir.resolve("release");
    Path stopped = dir.resolve("stopped");
    String job =
        runnerJob(
            "r-delete",
            "trap 'while [ ! -e "
                + release
                + " ]; do sleep 0.1; done; touch "
                + stopped
                + "; exit 0' TERM; echo started; while true; do sleep 0.1; done");
    String pod = runningPod(cluster);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> kubectl("logs", pod).out().contains("started"));

    Run deleted = kubectl("delete", "job", job);
    assertThat(deleted.code()).as(deleted.all()).isZero();
    assertThat(deleted.out()).contains("job.batch \"" + job + "\" deleted");
    // the pod stays while its process, given SIGTERM, finishes
    Run terminating = kubectl("get", "pod", pod);
    assertThat(terminating.out()).containsPattern(pod + "\\s+1/1\\s+Terminating");
    assertThat(kubectl("get", "pod", pod, "-o", "jsonpath={.metadata.deletionTimestamp}").out())
        .isNotEmpty();

    assertThat(stopped).doesNotExist();

    // and goes once the process has ended, well within the 30 s grace before SIGKILL
    Files.createFile(release);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> kubectl("get", "pods", "-o", "name").out().isEmpty());
    assertThat(stopped).exists();
    assertThat(cluster.runningPods()).isEmpty();
    assertThat(cluster.podsCreated()).isEqualTo(1);
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
    String job = runnerJob("r-python", printing(30, "0.1"));
    String pod = runningPod(cluster);
    Run listed =
        run(
            new ProcessBuilder(
                "/usr/bin/python3", script.toString(), kubeconfig.toString(), "list"),
            "python3 list");
    assertThat(listed.code()).as(listed.all()).isZero();
    assertThat(listed.out())
        .containsPattern("pod " + pod + " Running mayfly-runner@sha256:[0-9a-f]{64} 0")
        .contains("job " + job + " 1 " + IMAGE)
        .contains("event Pod Started", "event Job SuccessfulCreate");

    awaitSucceeded(job);
    assertThat(kubectl("delete", "job", job).code()).isZero(); // as the launcher deletes it
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
