package io.mailflow.edge.protocol;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The engine is a pure protocol core: it may use the JDK and the JDK-only SMTP words, nothing else. */
class PureEngineTest {

  @Test
  void engineDependsOnlyOnTheJdk() {
    classes().that().resideInAPackage("io.mailflow.edge.protocol..")
        .should().onlyDependOnClassesThat().resideInAnyPackage("io.mailflow.edge.protocol..", "io.mailflow.smtp", "java..")
        .check(new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.mailflow.edge.protocol"));
  }
}
