package io.mailflow.organization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class AdministratorsConfigTest {
  private static final String BASE = "serverName: EX01\nacceptedDomains: [contoso.test]\n";
  private static final String HASH = PasswordHash.create("secret".toCharArray(), PasswordHash.MIN_ITERATIONS).encoded();

  @Test
  void administratorsAreReadWithTheirRoles() throws Exception {
    Organization org = TestYaml.parse(BASE + "administrators:\n"
        + "  - {name: alice, passwordHash: '" + HASH + "', role: OrganizationManagement}\n"
        + "  - {name: viewer@contoso.test, passwordHash: '" + HASH + "', role: viewonlyorganizationmanagement}\n");
    assertEquals(2, org.administrators().size());
    Administrator alice = org.administrator("alice").orElseThrow();
    assertEquals(Administrator.Role.OrganizationManagement, alice.role());
    assertTrue(alice.role().mayAct());
    assertTrue(PasswordHash.parse(alice.passwordHash()).matches("secret".toCharArray()));
    Administrator viewer = org.administrator("viewer@contoso.test").orElseThrow();
    assertEquals(Administrator.Role.ViewOnlyOrganizationManagement, viewer.role(), "roles ignore case, as cmdlets do");
    assertFalse(viewer.role().mayAct());
  }

  @Test
  void tokenHashesAreReadAndABadOneIsRefusedWithItsPath() throws Exception {
    Organization org = TestYaml.parse(BASE + "administrators:\n"
        + "  - {name: ci, passwordHash: '" + HASH + "', role: OrganizationManagement, tokenHashes: ['" + HASH + "']}\n");
    assertEquals(List.of(HASH), org.administrator("ci").orElseThrow().tokenHashes());
    assertEquals(List.of(), TestYaml.parse(BASE + "administrators:\n"
        + "  - {name: ci, passwordHash: '" + HASH + "', role: OrganizationManagement}\n")
        .administrator("ci").orElseThrow().tokenHashes(), "no tokens unless listed");

    List<String> errors = TestYaml.errorsOf(BASE + "administrators:\n"
        + "  - {name: ci, passwordHash: '" + HASH + "', role: OrganizationManagement, tokenHashes: ['" + HASH + "', secret]}\n");
    assertEquals(1, errors.size(), errors.toString());
    assertTrue(errors.get(0).startsWith("administrators[0].tokenHashes[1]: not a password hash"), errors.get(0));
    assertTrue(errors.get(0).contains("mailflow directory make-token"), errors.get(0));
  }

  @Test
  void withoutTheKeysThereAreNoAdministratorsAndTheServerStaysOnLoopback() throws Exception {
    Organization org = TestYaml.parse(BASE);
    assertEquals(List.of(), org.administrators());
    assertNull(org.adminServer().bindAddress());
    assertEquals("127.0.0.1", org.adminServer().bindAddressOrDefault());
    assertFalse(org.adminServer().metricsRequireLogin());
  }

  @Test
  void adminServerSectionIsRead() throws Exception {
    Organization org = TestYaml.parse(BASE + "adminServer: {bindAddress: 0.0.0.0, metricsRequireLogin: true}\n");
    assertEquals("0.0.0.0", org.adminServer().bindAddress());
    assertTrue(org.adminServer().metricsRequireLogin());
  }

  @Test
  void aBadRoleIsRefusedWithItsPath() {
    List<String> errors = TestYaml.errorsOf(BASE + "administrators:\n"
        + "  - {name: alice, passwordHash: '" + HASH + "', role: Admin}\n");
    assertEquals(List.of("administrators[0].role: 'Admin' is not one of ViewOnlyOrganizationManagement, "
        + "OrganizationManagement"), errors);
  }

  @Test
  void aMissingHashOrRoleIsRequired() {
    List<String> errors = TestYaml.errorsOf(BASE + "administrators:\n"
        + "  - {name: alice}\n");
    assertEquals(List.of("administrators[0].passwordHash: required",
        "administrators[0].role: required"), errors);
  }

  @Test
  void aBadHashNameDuplicateOrBindAddressIsRefused() {
    List<String> errors = TestYaml.errorsOf(BASE + "administrators:\n"
        + "  - {name: alice, passwordHash: 'plain-text', role: OrganizationManagement}\n"
        + "  - {name: 'bob:x', passwordHash: '" + HASH + "', role: OrganizationManagement}\n"
        + "  - {name: alice, passwordHash: '" + HASH + "', role: OrganizationManagement}\n"
        + "adminServer: {bindAddress: admin.contoso.test, metricsRequireLogin: maybe}\n");
    assertEquals(5, errors.size(), errors.toString());
    assertTrue(errors.get(0).startsWith("administrators[0].passwordHash: not a password hash"), errors.get(0));
    assertTrue(errors.stream().anyMatch(e -> e.contains("administrators[1].name: 'bob:x' is not an administrator name")),
        errors.toString());
    assertTrue(errors.stream().anyMatch(e -> e.contains("administrators[2].name: administrator 'alice' is listed twice")),
        errors.toString());
    assertTrue(errors.stream().anyMatch(e -> e.contains("adminServer.bindAddress: 'admin.contoso.test' is not an IP address")),
        errors.toString());
    assertTrue(errors.stream().anyMatch(e -> e.contains("adminServer.metricsRequireLogin: expected true or false")),
        errors.toString());
  }
}
