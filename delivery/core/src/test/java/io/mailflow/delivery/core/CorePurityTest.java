package io.mailflow.delivery.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

class CorePurityTest {

  @Test
  void deliveryCoreDependsOnTheJdkOnly() {
    JavaClasses core = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.mailflow.delivery.core");
    classes().should().onlyDependOnClassesThat()
        .resideInAnyPackage("java..", "io.mailflow.delivery.core..", "io.mailflow.dsn", "io.mailflow.smtp")
        .because("delivery/core is the pure half: no Kafka, Vert.x, Netty or Avro")
        .check(core);
  }
}
