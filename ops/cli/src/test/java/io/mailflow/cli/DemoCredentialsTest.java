package io.mailflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.organization.Administrator;
import io.mailflow.organization.Mailbox;
import io.mailflow.organization.OrganizationLoader;
import io.mailflow.organization.PasswordHash;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoCredentialsTest {
  @TempDir Path dataDir;

  @Test
  void firstStartMakesAPasswordPerMailboxPrintsItOnceAndKeepsItForTheOwnerOnly() throws Exception {
    DemoCredentials.Applied first = DemoCredentials.apply(OrganizationLoader.demo(), dataDir);
    assertEquals(List.of("alice@contoso.test", "bob@contoso.test", DemoCredentials.ADMINISTRATOR),
        List.copyOf(first.made().keySet()), "a password per mailbox and one for the demo administrator");
    String alicePassword = first.made().get("alice@contoso.test");
    assertTrue(alicePassword.matches("[a-zA-Z2-9]{16}"), alicePassword);
    assertNotEquals(alicePassword, first.made().get("bob@contoso.test"));
    Mailbox alice = first.organization().mailboxes().get(0);
    assertTrue(PasswordHash.parse(alice.passwordHash()).matches(alicePassword.toCharArray()));

    StringWriter printed = new StringWriter();
    DemoCredentials.print(first, new PrintWriter(printed, true));
    assertTrue(printed.toString().contains("password      alice@contoso.test  " + alicePassword), printed.toString());
    String adminPassword = first.made().get(DemoCredentials.ADMINISTRATOR);
    assertTrue(printed.toString().contains("password      admin  " + adminPassword
        + "  (admin server, OrganizationManagement)"), printed.toString());
    Administrator admin = first.organization().administrator(DemoCredentials.ADMINISTRATOR).orElseThrow();
    assertEquals(Administrator.Role.OrganizationManagement, admin.role());
    assertTrue(PasswordHash.parse(admin.passwordHash()).matches(adminPassword.toCharArray()));

    Path dir = dataDir.resolve(DemoCredentials.DIR);
    assertTrue(Files.readString(dir.resolve(DemoCredentials.PASSWORDS)).contains("alice@contoso.test " + alicePassword));
    assertTrue(Files.readString(dir.resolve(DemoCredentials.PASSWORDS)).contains("admin " + adminPassword));
    assertTrue(!Files.readString(dir.resolve(DemoCredentials.HASHES)).contains(alicePassword), "hashes only");
    if (OwnerOnlyFiles.posix(dataDir)) {
      for (String file : List.of(DemoCredentials.PASSWORDS, DemoCredentials.HASHES)) {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(file))), file);
      }
    }

    DemoCredentials.Applied again = DemoCredentials.apply(OrganizationLoader.demo(), dataDir);
    assertEquals(0, again.made().size(), "kept: not made or shown again");
    assertEquals(alice.passwordHash(), again.organization().mailboxes().get(0).passwordHash());
    assertEquals(admin.passwordHash(), again.organization().administrator("admin").orElseThrow().passwordHash());
    StringWriter later = new StringWriter();
    DemoCredentials.print(again, new PrintWriter(later, true));
    assertTrue(later.toString().startsWith("passwords     demo mailbox and admin passwords in "), later.toString());
    assertTrue(!later.toString().contains(alicePassword) && !later.toString().contains(adminPassword));
  }

  @Test
  void damagedHashFileIsOneClearFailure() throws Exception {
    DemoCredentials.apply(OrganizationLoader.demo(), dataDir);
    Path hashes = dataDir.resolve(DemoCredentials.DIR).resolve(DemoCredentials.HASHES);
    Files.writeString(hashes, "alice@contoso.test not-a-hash\n");
    CliFailure failure = org.junit.jupiter.api.Assertions.assertThrows(CliFailure.class,
        () -> DemoCredentials.apply(OrganizationLoader.demo(), dataDir));
    assertTrue(failure.getMessage().startsWith(hashes.toAbsolutePath() + ": not a password hash"), failure.getMessage());
    assertTrue(failure.getMessage().endsWith("to make new demo passwords)"), failure.getMessage());
  }
}
