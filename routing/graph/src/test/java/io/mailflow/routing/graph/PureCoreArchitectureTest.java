package io.mailflow.routing.graph;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/** The routing core is pure: the Kafka adapter depends on it, never the other way round. */
class PureCoreArchitectureTest {

  private static final String[] TRANSPORT_PACKAGES = {
      "org.apache.kafka..", "io.vertx..", "io.netty..", "org.apache.avro..", "io.mailflow.schemas.avro.."};

  private static ArchRule noRoutingClassDependsOn(String... packages) {
    return noClasses().that().resideInAPackage("io.mailflow.routing.graph..")
        .should().dependOnClassesThat().resideInAnyPackage(packages);
  }

  @Test
  void routingCoreDependsOnNoKafkaVertxNettyOrAvroType() {
    JavaClasses core = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.mailflow.routing.graph");
    assertFalse(core.isEmpty(), "no routing classes imported: the rule would check nothing");
    noRoutingClassDependsOn(TRANSPORT_PACKAGES).check(core);
  }

  /** Proves the rule's shape catches a violation; java.sql stands in for a transport package. */
  @Test
  void ruleFailsForARoutingClassThatUsesAForbiddenPackage() {
    JavaClasses leaky = new ClassFileImporter().importClasses(LeakyRoutingClass.class);
    assertThrows(AssertionError.class, () -> noRoutingClassDependsOn("java.sql..").check(leaky));
  }

  static final class LeakyRoutingClass {
    java.sql.Timestamp forbidden;
  }
}
