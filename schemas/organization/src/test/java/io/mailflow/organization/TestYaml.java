package io.mailflow.organization;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;

/** TestYaml - loads an organization written inline in a test, as the file {@code test.yaml}. */
final class TestYaml {
  private TestYaml() {}

  static Organization parse(String yaml) throws OrganizationException {
    return OrganizationLoader.parse(yaml, "test.yaml");
  }

  /** The errors loading reports; fails the test when the YAML loads. */
  static List<String> errorsOf(String yaml) {
    try {
      Organization org = OrganizationLoader.parse(yaml, "test.yaml");
      fail("loaded without errors: " + org);
      return List.of();
    } catch (OrganizationException e) {
      return e.errors();
    }
  }
}
