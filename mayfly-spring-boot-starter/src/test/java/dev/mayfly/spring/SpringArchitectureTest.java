package dev.mayfly.spring;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import com.tngtech.archunit.library.dependencies.SlicesRuleDefinition;
import org.junit.jupiter.api.Test;

/**
 * The Spring Boot starter's share of the rules {@code ArchitectureTest} in mayfly-cli checks for
 * every other module (that module does not see this one): it builds on the facade, never on the
 * store, and its classes need no cycle.
 */
class SpringArchitectureTest {
  private static final JavaClasses STARTER =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.mayfly.spring");

  /**
   * The starter reaches the store only through the facade and the app's DataSource: what differs
   * between databases stays in the store modules.
   */
  @Test
  void theStarterBuildsOnTheFacadeNotTheStore() {
    noClasses()
        .that()
        .resideInAPackage("dev.mayfly.spring..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.mayfly.store..", "dev.mayfly.cli..", "dev.mayfly.bench..")
        .check(STARTER);
  }

  @Test
  void noClassCycles() {
    SlicesRuleDefinition.slices()
        .assignedFrom(
            new SliceAssignment() {
              @Override
              public SliceIdentifier getIdentifierOf(JavaClass c) {
                String name = c.getName();
                int nested = name.indexOf('$');
                return c.getPackageName().startsWith("dev.mayfly.spring")
                    ? SliceIdentifier.of(nested < 0 ? name : name.substring(0, nested))
                    : SliceIdentifier.ignore();
              }

              @Override
              public String getDescription() {
                return "the starter's classes";
              }
            })
        .should()
        .beFreeOfCycles()
        .check(STARTER);
  }
}
