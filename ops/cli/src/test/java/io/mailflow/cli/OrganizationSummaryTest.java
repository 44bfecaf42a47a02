package io.mailflow.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.organization.OrganizationLoader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OrganizationSummaryTest {
  @TempDir Path dir;

  @Test
  void webhooksAreListedByNameHostAndEventsNeverWithTheirPath() throws Exception {
    Files.writeString(dir.resolve("k"), "0123456789abcdef0123456789abcdef\n");
    Path file = dir.resolve("org.yaml");
    Files.writeString(file, """
        serverName: EX01
        acceptedDomains: [contoso.test]
        webhooks:
          - { name: crm, url: 'https://crm.contoso.test/hooks?token=abc', secretFile: k, events: [Failed, Delivered] }
          - { name: old, url: 'http://127.0.0.1:9/x', secretFile: k, enabled: false }
        """);
    StringWriter text = new StringWriter();
    OrganizationSummary.print(OrganizationLoader.load(file), "org.yaml", new PrintWriter(text));
    String printed = text.toString();
    assertTrue(printed.contains("  webhook          crm to crm.contoso.test (delivered, failed)\n"), printed);
    assertTrue(printed.contains("  webhook          old to 127.0.0.1 (delivered, deferred, failed, bounced), disabled\n"),
        printed);
    assertTrue(!printed.contains("token"), printed);
  }
}
