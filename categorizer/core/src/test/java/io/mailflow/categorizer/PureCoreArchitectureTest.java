package io.mailflow.categorizer;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * The categorizer core is pure: JDK, the organization model and schemas/smtp's JDK-only SMTP words
 * (io.mailflow.smtp, not a transport package) only. The Kafka adapter
 * (io.mailflow.categorizer.kafka, categorizer/service) depends on it, never the other way round.
 */
class PureCoreArchitectureTest {

  private static final String[] TRANSPORT_PACKAGES = {
      "org.apache.kafka..", "io.vertx..", "io.netty..", "org.apache.avro..", "io.mailflow.schemas.avro..",
      "io.mailflow.kafka..", "io.mailflow.categorizer.kafka.."};

  private static ArchRule noCategorizerClassDependsOn(String... packages) {
    return noClasses().that().resideInAPackage("io.mailflow.categorizer..")
        .should().dependOnClassesThat().resideInAnyPackage(packages);
  }

  @Test
  void categorizerCoreDependsOnNoKafkaVertxNettyOrAvroType() {
    JavaClasses core = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.mailflow.categorizer");
    assertFalse(core.isEmpty(), "no categorizer classes imported: the rule would check nothing");
    noCategorizerClassDependsOn(TRANSPORT_PACKAGES).check(core);
  }

  /** Proves the rule's shape catches a violation; java.sql stands in for a transport package. */
  @Test
  void ruleFailsForACategorizerClassThatUsesAForbiddenPackage() {
    JavaClasses leaky = new ClassFileImporter().importClasses(LeakyCategorizerClass.class);
    assertThrows(AssertionError.class, () -> noCategorizerClassDependsOn("java.sql..").check(leaky));
  }

  static final class LeakyCategorizerClass {
    java.sql.Timestamp forbidden;
  }
}
