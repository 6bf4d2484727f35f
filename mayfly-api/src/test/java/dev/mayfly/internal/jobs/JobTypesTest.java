package dev.mayfly.internal.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mayfly.api.InvalidJobException;
import dev.mayfly.api.Job;
import dev.mayfly.api.JobContext;
import dev.mayfly.api.JobType;
import dev.mayfly.api.Outcome;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobTypesTest {
  public static final class AnalyseCommit implements Job<AnalyseCommit.Args> {
    public record Args(String repo, String commit, int depth) {}

    @Override
    public Outcome perform(Args args, JobContext ctx) {
      return Outcome.success();
    }
  }

  @JobType(value = "renamed-job", timeoutSeconds = 42)
  public static final class SomethingElse implements Job<SomethingElse.Args> {
    public record Args() {}

    @Override
    public Outcome perform(Args args, JobContext ctx) {
      return Outcome.success();
    }
  }

  @JobType("analyse-commit")
  public static final class Clash implements Job<Clash.Args> {
    public record Args() {}

    @Override
    public Outcome perform(Args args, JobContext ctx) {
      return Outcome.success();
    }
  }

  private final JobTypes types = JobTypes.of(List.of(AnalyseCommit.class, SomethingElse.class));

  @Test
  void nameDefaultsToKebabCaseAndAnnotationOverridesIt() {
    assertThat(types.byClass(AnalyseCommit.class).name()).isEqualTo("analyse-commit");
    assertThat(types.byClass(SomethingElse.class).name()).isEqualTo("renamed-job");
    assertThat(types.byClass(SomethingElse.class).timeout()).isEqualTo(Duration.ofSeconds(42));
    assertThat(JobTypes.kebab("HTTPFetch")).isEqualTo("http-fetch");
  }

  @Test
  void bindingPreparedAheadBindsTheSameAndStillRefusesBadArguments() {
    types.prepareBinding();
    JobDescriptor d = types.byName("analyse-commit");
    assertThat(types.bind(d, "{\"repo\":\"r\",\"commit\":\"c\",\"depth\":2}"))
        .isEqualTo(new AnalyseCommit.Args("r", "c", 2));
    assertThatThrownBy(() -> types.bind(d, "{\"nope\":1}")).isInstanceOf(InvalidJobException.class);
  }

  @Test
  void argumentRecordIsFoundFromTheGenericInterface() {
    assertThat(types.byName("analyse-commit").argsType()).isEqualTo(AnalyseCommit.Args.class);
  }

  @Test
  void twoClassesWithOneNameAreRefused() {
    assertThatThrownBy(() -> JobTypes.of(List.of(AnalyseCommit.class, Clash.class)))
        .hasMessageContaining("both named 'analyse-commit'");
  }

  @Test
  void registryRoundTripsThroughItsEnvironmentForm() {
    JobTypes decoded = JobTypes.decode(types.encode(), getClass().getClassLoader());
    assertThat(decoded.byName("renamed-job").jobClass()).isEqualTo(SomethingElse.class);
  }

  @Test
  void argumentsBindFromJsonAndAreWrittenBackCanonically() {
    var d = types.byName("analyse-commit");
    String json = types.validateJson(d, " {\"commit\": \"abc\", \"repo\": \"r\", \"depth\": 2} ");
    assertThat(json).isEqualTo("{\"repo\":\"r\",\"commit\":\"abc\",\"depth\":2}");
    assertThat(types.bind(d, json)).isEqualTo(new AnalyseCommit.Args("r", "abc", 2));
  }

  @Test
  void unknownTypeNamesTheKnownOnes() {
    assertThatThrownBy(() -> types.byName("analyse"))
        .isInstanceOf(InvalidJobException.class)
        .hasMessageContaining("unknown job type 'analyse'")
        .hasMessageContaining("analyse-commit, renamed-job");
  }

  @Test
  void jsonThatDoesNotParseIsRefusedWithTheExpectedShape() {
    var d = types.byName("analyse-commit");
    assertThatThrownBy(() -> types.validateJson(d, "{repo: x"))
        .isInstanceOf(InvalidJobException.class)
        .hasMessageContaining("not valid JSON")
        .hasMessageContaining("\"repo\": String");
  }

  @Test
  void unknownFieldIsNamed() {
    var d = types.byName("analyse-commit");
    assertThatThrownBy(
            () -> types.validateJson(d, "{\"repo\":\"r\",\"commit\":\"c\",\"depth\":1,\"x\":1}"))
        .hasMessageContaining("has no argument 'x'");
  }

  @Test
  void mistypedFieldIsNamed() {
    var d = types.byName("analyse-commit");
    assertThatThrownBy(
            () -> types.validateJson(d, "{\"repo\":\"r\",\"commit\":\"c\",\"depth\":\"deep\"}"))
        .hasMessageContaining("'depth'")
        .hasMessageContaining("int");
  }

  @Test
  void missingFieldIsRefused() {
    var d = types.byName("analyse-commit");
    assertThatThrownBy(() -> types.validateJson(d, "{\"repo\":\"r\",\"commit\":\"c\"}"))
        .isInstanceOf(InvalidJobException.class)
        .hasMessageContaining("needs argument 'depth'");
  }

  @Test
  void oversizeArgumentsAreRefused() {
    var d = types.byName("analyse-commit");
    String big = "x".repeat(JobTypes.MAX_ARGS_BYTES);
    assertThatThrownBy(
            () -> types.validateJson(d, "{\"repo\":\"" + big + "\",\"commit\":\"c\",\"depth\":1}"))
        .hasMessageContaining("over the limit");
  }

  @Test
  void nonObjectJsonIsRefused() {
    var d = types.byName("analyse-commit");
    assertThatThrownBy(() -> types.validateJson(d, "[1,2]"))
        .isInstanceOf(InvalidJobException.class);
    assertThatThrownBy(() -> types.validateJson(d, "")).hasMessageContaining("empty");
  }
}
