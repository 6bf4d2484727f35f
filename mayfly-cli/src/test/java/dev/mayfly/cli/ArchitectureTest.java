package dev.mayfly.cli;

import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.name;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.AccessTarget;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import com.tngtech.archunit.library.dependencies.SlicesRuleDefinition;
import dev.mayfly.internal.time.SystemTime;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The architecture, checked on the compiled main classes of every module: each module uses only the
 * modules below it, no package needs one that needs it back, and the public API is the documented
 * list.
 */
class ArchitectureTest {
  private static final JavaClasses MAYFLY =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .withImportOption(location -> !location.contains("-tests.jar")) // the store's contract
          .importPackages("dev.mayfly");

  @Test
  void modulesDependOnlyDownwards() {
    layeredArchitecture()
        .consideringOnlyDependenciesInLayers()
        .layer("api")
        .definedBy(
            "dev.mayfly.api..",
            "dev.mayfly.internal.jobs..",
            "dev.mayfly.internal.names..",
            "dev.mayfly.internal.time..")
        .layer("protocol")
        .definedBy("dev.mayfly.protocol..")
        .layer("store")
        .definedBy("dev.mayfly.store..")
        .layer("runner")
        .definedBy("dev.mayfly.runner..")
        .layer("launch")
        .definedBy("dev.mayfly.launch")
        .layer("launch-local")
        .definedBy("dev.mayfly.launch.local..", "dev.mayfly.launch.inprocess..")
        .layer("core")
        .definedBy("dev.mayfly", "dev.mayfly.cost..", "dev.mayfly.internal")
        .layer("heroku")
        .definedBy("dev.mayfly.heroku")
        .layer("heroku-emulator")
        .definedBy("dev.mayfly.heroku.emulator..")
        .layer("dashboard")
        .definedBy("dev.mayfly.dashboard..")
        .layer("bench")
        .definedBy("dev.mayfly.bench..")
        .layer("testkit")
        .definedBy("dev.mayfly.testkit..")
        .layer("cli")
        .definedBy("dev.mayfly.cli..")
        .whereLayer("api")
        .mayNotAccessAnyLayer()
        .whereLayer("protocol") // what a dispatcher, its launchers and its runners agree on
        .mayOnlyAccessLayers("api")
        .whereLayer("store")
        .mayOnlyAccessLayers("api", "protocol")
        .whereLayer("runner") // the one-off process: never the dispatcher, never a launcher
        .mayOnlyAccessLayers("api", "protocol", "store")
        .whereLayer("launch") // the SPI a platform implements: no store, no runner
        .mayOnlyAccessLayers("api", "protocol")
        .whereLayer("launch-local")
        .mayOnlyAccessLayers("api", "protocol", "store", "runner", "launch")
        .whereLayer("core") // never a platform, never the dashboard
        .mayOnlyAccessLayers("api", "protocol", "store", "runner", "launch", "launch-local")
        .whereLayer("heroku")
        .mayOnlyAccessLayers("api", "protocol", "store", "launch")
        .whereLayer("heroku-emulator") // a stand-in for Heroku: none of the launcher's code
        .mayOnlyAccessLayers("api")
        .whereLayer("heroku-emulator") // for tests and `mayfly heroku-emulator` only
        .mayOnlyBeAccessedByLayers("cli")
        .whereLayer("dashboard")
        .mayOnlyAccessLayers("api", "protocol", "store", "launch", "core")
        .whereLayer("bench")
        .mayOnlyAccessLayers("api", "protocol", "store", "runner", "launch", "launch-local", "core")
        .whereLayer("testkit") // for apps' tests: nothing of Mayfly's own main code uses it
        .mayOnlyAccessLayers("api", "protocol", "store", "runner", "launch", "core")
        .whereLayer("testkit")
        .mayNotBeAccessedByAnyLayer()
        .whereLayer("cli")
        .mayNotBeAccessedByAnyLayer()
        .check(MAYFLY);
  }

  /**
   * The dispatcher meets its runners through the runner protocol (their environment, their output,
   * their exit codes, the time-to-live rule), never through the runner's classes: the runner is a
   * separate process, started by name ({@code RunnerEnvironment.MAIN_CLASS}). Only the local
   * launchers, which run a runner in this JVM or build its start-up cache, use the runner module.
   */
  @Test
  void coreMeetsTheRunnerOnlyThroughTheProtocol() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "dev.mayfly", "dev.mayfly.cost..", "dev.mayfly.internal", "dev.mayfly.schedule..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.mayfly.runner..")
        .because("the dispatcher and its runners agree through dev.mayfly.protocol")
        .check(MAYFLY);
  }

  /**
   * The launcher SPI is all a platform's launcher needs: the API, the runner protocol and the JDK,
   * so a launcher's jar brings no store, no JDBC driver and no connection pool.
   */
  @Test
  void theLauncherSpiNeedsOnlyTheApiAndTheProtocol() {
    classes()
        .that()
        .resideInAPackage("dev.mayfly.launch")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "dev.mayfly.launch",
            "dev.mayfly.api..",
            "dev.mayfly.protocol..",
            "java..",
            "org.jspecify..")
        .check(MAYFLY);
  }

  /**
   * The platform launchers and the emulators that stand in for their platforms stay apart, so that
   * a launcher's jar runs without any emulator: a launcher ({@code dev.mayfly.heroku}, {@code
   * dev.mayfly.kubernetes}) uses neither an emulator, nor core, the dashboard or another platform;
   * the Kubernetes emulator uses nothing of Mayfly's (the Heroku one, the API module alone: {@link
   * #modulesDependOnlyDownwards}); and of main code only the CLI and the examples use an emulator
   * (the launchers' tests reach theirs in test scope, which these classes do not include).
   */
  @Test
  void launchersAndEmulatorsStandApart() {
    String[] emulators = {"dev.mayfly.heroku.emulator..", "dev.mayfly.kubernetes.emulator.."};
    noClasses()
        .that()
        .resideInAnyPackage("dev.mayfly.heroku", "dev.mayfly.kubernetes")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(emulators)
        .orShould()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.mayfly",
            "dev.mayfly.internal",
            "dev.mayfly.cost..",
            "dev.mayfly.schedule..",
            "dev.mayfly.dashboard..",
            "dev.mayfly.bench..",
            "dev.mayfly.testkit..",
            "dev.mayfly.spring..",
            "dev.mayfly.cli..")
        .because("a launcher runs in the app's dispatcher, on launch and below, without emulators")
        .check(MAYFLY);
    noClasses()
        .that()
        .resideInAPackage("dev.mayfly.heroku")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.mayfly.kubernetes..")
        .check(MAYFLY);
    noClasses()
        .that()
        .resideInAPackage("dev.mayfly.kubernetes")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.mayfly.heroku..")
        .check(MAYFLY);
    noClasses()
        .that()
        .resideInAPackage("dev.mayfly.kubernetes.emulator..")
        .should()
        .dependOnClassesThat(
            JavaClass.Predicates.resideInAPackage("dev.mayfly..")
                .and(
                    DescribedPredicate.not(
                        JavaClass.Predicates.resideInAPackage("dev.mayfly.kubernetes.emulator.."))))
        .because(
            "the emulated cluster is a stand-in for Kubernetes and shares no code with the"
                + " launcher it answers")
        .check(MAYFLY);
    for (String emulator : emulators) {
      noClasses()
          .that()
          .resideOutsideOfPackages(emulator, "dev.mayfly.cli..", "dev.mayfly.examples..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage(emulator)
          .because("an emulator is for tests, the CLI and the examples, never an app's runtime")
          .check(MAYFLY);
    }
  }

  /**
   * Time comes from one place: main code reads the time of day and the monotonic ticker only from
   * what it was given ({@code MayflyConfig.clock()} and {@code ticker()}, or a launcher's and a
   * runner's own), and {@link SystemTime} alone reads the machine's, where a process is composed;
   * so a test that sets the time sees it everywhere. Not held to it: the benchmarks, whose point is
   * to measure real time, and the Heroku and Kubernetes emulators, test doubles that stand in for a
   * platform, which keeps its own time and never Mayfly's.
   */
  @Test
  void timeIsReadOnlyFromTheClockAndTickerGiven() {
    noClasses()
        .that()
        .doNotHaveFullyQualifiedName(SystemTime.class.getName())
        .and()
        .resideOutsideOfPackages(
            "dev.mayfly.bench..",
            "dev.mayfly.heroku.emulator..",
            "dev.mayfly.kubernetes.emulator..")
        .should()
        .accessTargetWhere(READS_THE_MACHINES_CLOCK)
        .because(
            "wall time comes from the configured InstantSource and intervals from its ticker;"
                + " take SystemTime's only where a process is composed")
        .check(MAYFLY);
  }

  /**
   * Calls and method references ({@code System::nanoTime}) that read the machine's clocks: {@code
   * System.nanoTime} and {@code currentTimeMillis}, {@code InstantSource.system()}, {@code
   * Clock.system*}, a {@code java.time} {@code now()} not given a {@code Clock}, {@code new
   * Date()}.
   */
  private static final DescribedPredicate<JavaAccess<?>> READS_THE_MACHINES_CLOCK =
      DescribedPredicate.describe(
          "reads the machine's clock",
          access -> {
            AccessTarget target = access.getTarget();
            String owner = target.getOwner().getName();
            String name = target.getName();
            List<String> parameters =
                target instanceof AccessTarget.CodeUnitAccessTarget c
                    ? c.getRawParameterTypes().stream().map(JavaClass::getName).toList()
                    : List.of();
            return switch (owner) {
              case "java.lang.System" ->
                  name.equals("nanoTime") || name.equals("currentTimeMillis");
              case "java.time.InstantSource", "java.time.Clock" -> name.startsWith("system");
              case "java.util.Date" -> name.equals("<init>") && parameters.isEmpty();
              default ->
                  owner.startsWith("java.time.")
                      && name.equals("now")
                      && !parameters.contains("java.time.Clock");
            };
          });

  /**
   * No cycle between classes either, within every package family: two classes of one package that
   * need each other (through statics, say) are one class split in two, or a third class waiting to
   * be named. Nested classes count as their top-level class. Not yet held by the packages in {@code
   * CLASS_CYCLES_LEFT}, whose classes still call back into the class that made them (the local
   * launcher and its options and start-up cache; the Kubernetes launcher and its pods; an emulator
   * and its API front): each is to be taken off the list as it is untangled, never added to.
   */
  private static final Set<String> CLASS_CYCLES_LEFT =
      Set.of(
          "dev.mayfly.launch.local",
          "dev.mayfly.kubernetes",
          "dev.mayfly.kubernetes.emulator",
          "dev.mayfly.heroku.emulator");

  @Test
  void noClassCycles() {
    SlicesRuleDefinition.slices()
        .assignedFrom(
            new SliceAssignment() {
              @Override
              public SliceIdentifier getIdentifierOf(JavaClass c) {
                String name = c.getName();
                int nested = name.indexOf('$');
                return c.getPackageName().startsWith("dev.mayfly")
                        && !CLASS_CYCLES_LEFT.contains(c.getPackageName())
                    ? SliceIdentifier.of(nested < 0 ? name : name.substring(0, nested))
                    : SliceIdentifier.ignore();
              }

              @Override
              public String getDescription() {
                return "Mayfly's classes";
              }
            })
        .should()
        .beFreeOfCycles()
        .check(MAYFLY);
  }

  @Test
  void noPackageCycles() {
    SlicesRuleDefinition.slices()
        .assignedFrom(
            new SliceAssignment() {
              @Override
              public SliceIdentifier getIdentifierOf(JavaClass c) {
                return c.getPackageName().startsWith("dev.mayfly")
                    ? SliceIdentifier.of(c.getPackageName())
                    : SliceIdentifier.ignore();
              }

              @Override
              public String getDescription() {
                return "Mayfly's packages";
              }
            })
        .should()
        .beFreeOfCycles()
        .check(MAYFLY);
  }

  /**
   * Every public type of a package that a Mayfly module exports to everyone (its {@code
   * module-info}), and nothing more, is listed under "The public API" in docs/architecture.md: a
   * new public type there is a decision to write down, not an accident.
   */
  @Test
  void thePublicApiIsTheDocumentedList() throws IOException {
    Set<String> exported = new TreeSet<>();
    for (URL descriptor :
        Collections.list(getClass().getClassLoader().getResources("module-info.class"))) {
      try (InputStream in = descriptor.openStream()) {
        ModuleDescriptor m = ModuleDescriptor.read(in);
        if (m.name().startsWith("dev.mayfly.")) {
          m.exports().stream().filter(e -> !e.isQualified()).forEach(e -> exported.add(e.source()));
        }
      }
    }
    assertThat(exported)
        .as("packages exported to everyone")
        .containsExactlyInAnyOrder(
            "dev.mayfly",
            "dev.mayfly.api",
            "dev.mayfly.cost",
            "dev.mayfly.launch",
            "dev.mayfly.dashboard",
            "dev.mayfly.testkit");

    Set<String> publicTypes = new TreeSet<>();
    for (JavaClass c : MAYFLY) {
      if (exported.contains(c.getPackageName())
          && c.isTopLevelClass()
          && c.getModifiers().contains(JavaModifier.PUBLIC)) {
        publicTypes.add(c.getName());
      }
    }
    assertThat(publicTypes).containsExactlyInAnyOrderElementsOf(documentedPublicApi());
  }

  /** The names in the code block under "## The public API" in docs/architecture.md. */
  private static List<String> documentedPublicApi() throws IOException {
    Path doc = Path.of("..", "docs", "architecture.md");
    List<String> lines = Files.readAllLines(doc);
    int heading = lines.indexOf("## The public API");
    assertThat(heading).as("a '## The public API' section in " + doc).isNotNegative();
    int open = lines.subList(heading, lines.size()).indexOf("```") + heading;
    int close = lines.subList(open + 1, lines.size()).indexOf("```") + open + 1;
    return lines.subList(open + 1, close).stream()
        .map(String::strip)
        .filter(l -> !l.isEmpty() && !l.startsWith("#"))
        .map(l -> l.split("\\s+")[0])
        .toList();
  }
}
