package dev.mayfly.cli;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import com.tngtech.archunit.library.dependencies.SlicesRuleDefinition;
import org.junit.jupiter.api.Test;

/**
 * The architecture, checked on the compiled main classes of every module: each module uses only the
 * modules below it, and no package needs one that needs it back.
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
        .definedBy("dev.mayfly.api..", "dev.mayfly.internal..")
        .layer("store")
        .definedBy("dev.mayfly.store..")
        .layer("runner")
        .definedBy("dev.mayfly.runner..")
        .layer("launch")
        .definedBy("dev.mayfly.launch..")
        .layer("core")
        .definedBy("dev.mayfly", "dev.mayfly.cost..")
        .layer("heroku")
        .definedBy("dev.mayfly.heroku..")
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
        .whereLayer("store")
        .mayOnlyAccessLayers("api")
        .whereLayer("runner") // the one-off process: never the dispatcher, never a launcher
        .mayOnlyAccessLayers("api", "store")
        .whereLayer("launch")
        .mayOnlyAccessLayers("api", "store", "runner")
        .whereLayer("core") // never a platform, never the dashboard
        .mayOnlyAccessLayers("api", "store", "runner", "launch")
        .whereLayer("heroku")
        .mayOnlyAccessLayers("api", "store", "runner", "launch")
        .whereLayer("dashboard")
        .mayOnlyAccessLayers("api", "store", "launch", "core")
        .whereLayer("bench")
        .mayOnlyAccessLayers("api", "store", "runner", "launch", "core")
        .whereLayer("testkit") // for apps' tests: nothing of Mayfly's own main code uses it
        .mayOnlyAccessLayers("api", "store", "runner", "launch", "core")
        .whereLayer("testkit")
        .mayNotBeAccessedByAnyLayer()
        .whereLayer("cli")
        .mayNotBeAccessedByAnyLayer()
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
}
