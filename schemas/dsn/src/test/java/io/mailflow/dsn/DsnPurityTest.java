package io.mailflow.dsn;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

class DsnPurityTest {

  @Test
  void reportBuildingDependsOnTheJdkOnly() {
    JavaClasses reports = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.mailflow.dsn", "io.mailflow.smtp")
        .that(com.tngtech.archunit.base.DescribedPredicate.describe("outside the submission package",
            c -> c.getPackageName().equals("io.mailflow.dsn")));
    classes().should().onlyDependOnClassesThat()
        .resideInAnyPackage("java..", "io.mailflow.dsn", "io.mailflow.smtp")
        .because("delivery/core uses the report builder and stays free of Kafka, Vert.x and Avro")
        .check(reports);
  }
}
