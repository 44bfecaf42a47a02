package io.mailflow.smtp;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

class SmtpPurityTest {

  @Test
  void smtpVocabularyDependsOnTheJdkOnly() {
    JavaClasses smtp = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.mailflow.smtp");
    classes().should().onlyDependOnClassesThat()
        .resideInAnyPackage("java..", "io.mailflow.smtp")
        .because("the edge engine, delivery/core and the DSN builder are JDK-only and all depend on it")
        .check(smtp);
  }
}
