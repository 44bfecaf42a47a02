package io.mailflow.organization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The top-level {@code webhooks:} list: defaults, and every bad value reported with its key. */
class WebhooksConfigTest {
  private static final String HEAD = "serverName: EX01\nacceptedDomains: [contoso.test]\nwebhooks:\n";
  private static final String SECRET = "0123456789abcdef0123456789abcdef";

  @TempDir
  Path dir;

  @BeforeEach
  void secret() throws Exception {
    Files.writeString(dir.resolve("hook.secret"), SECRET + "\n");
  }

  private Organization load(String webhooks) throws Exception {
    Path file = dir.resolve("org.yaml");
    Files.writeString(file, HEAD + webhooks);
    return OrganizationLoader.load(file);
  }

  private List<String> errors(String webhooks) {
    try {
      load(webhooks);
    } catch (OrganizationException e) {
      return e.errors();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    fail("loaded: " + webhooks);
    return List.of();
  }

  @Test
  void defaultsAreAllEventsTenSecondsAndADayOfRetries() throws Exception {
    Webhook hook = load("  - {name: crm, url: 'https://crm.contoso.test/hooks/mail', secretFile: hook.secret}\n")
        .webhooks().get(0);
    assertEquals("crm", hook.name());
    assertEquals("https://crm.contoso.test/hooks/mail", hook.url());
    assertEquals(dir.resolve("hook.secret").toString(), hook.secretFile());
    assertEquals(SECRET, hook.secret());
    assertEquals(EnumSet.allOf(Webhook.Event.class), hook.events());
    assertEquals(Duration.ofSeconds(10), hook.timeout());
    assertEquals(Duration.ofHours(24), hook.maxRetryTime());
    assertTrue(hook.enabled());
    assertFalse(hook.allowInsecureHttp());
    assertFalse(hook.toString().contains(SECRET), hook.toString());
  }

  @Test
  void everyKeyIsRead() throws Exception {
    Webhook hook = load("  - name: ops.alerts\n    url: http://alerts.contoso.test:8080/in\n    secretFile: hook.secret\n"
        + "    events: [failed, Bounced]\n    timeout: 30s\n    maxRetryTime: 2h\n    enabled: false\n"
        + "    allowInsecureHttp: true\n").webhooks().get(0);
    assertEquals(Set.of(Webhook.Event.Failed, Webhook.Event.Bounced), hook.events());
    assertEquals(Duration.ofSeconds(30), hook.timeout());
    assertEquals(Duration.ofHours(2), hook.maxRetryTime());
    assertFalse(hook.enabled());
    assertTrue(hook.allowInsecureHttp());
  }

  @Test
  void plainHttpToLoopbackNeedsNoOptIn() throws Exception {
    for (String url : List.of("http://127.0.0.1:9000/x", "http://localhost/x", "http://[::1]:80/", "http://127.1.2.3/")) {
      assertEquals(url, load("  - {name: a, url: '" + url + "', secretFile: hook.secret}\n").webhooks().get(0).url());
    }
  }

  @Test
  void noWebhooksKeyMeansNone() throws Exception {
    Path file = dir.resolve("org.yaml");
    Files.writeString(file, "serverName: EX01\nacceptedDomains: [contoso.test]\n");
    assertEquals(List.of(), OrganizationLoader.load(file).webhooks());
  }

  @Test
  void badUrlsAreNamedWithTheirKey() {
    assertEquals(List.of("webhooks[0].url: 'ftp://x.test/' is not an http or https URL"),
        errors("  - {name: a, url: 'ftp://x.test/', secretFile: hook.secret}\n"));
    assertEquals(List.of("webhooks[0].url: 'not a url' is not a URL: Illegal character in path"),
        errors("  - {name: a, url: 'not a url', secretFile: hook.secret}\n"));
    assertEquals(List.of("webhooks[0].url: 'https:///x' has no host"),
        errors("  - {name: a, url: 'https:///x', secretFile: hook.secret}\n"));
    assertEquals(List.of("webhooks[0].url: 'https://u:p@x.test/' has a user name or password in it: webhooks "
        + "authenticate by their signature"), errors("  - {name: a, url: 'https://u:p@x.test/', secretFile: hook.secret}\n"));
    assertEquals(List.of("webhooks[0].url: required"), errors("  - {name: a, secretFile: hook.secret}\n"));
  }

  @Test
  void plainHttpToAnotherHostIsRefusedUnlessAllowed() {
    assertEquals(List.of("webhooks[0].url: 'http://crm.contoso.test/in': plain http only to a loopback host "
        + "(localhost, 127.0.0.1, [::1]); use https, or set allowInsecureHttp: true to send notifications unencrypted"),
        errors("  - {name: a, url: 'http://crm.contoso.test/in', secretFile: hook.secret}\n"));
    assertEquals(1, errors("  - {name: a, url: 'http://10.0.0.5/in', secretFile: hook.secret}\n").size());
  }

  @Test
  void missingEmptyOrShortSecretFileIsNamed() throws Exception {
    assertEquals(List.of("webhooks[0].secretFile: cannot read " + dir.resolve("nope.secret") + ": NoSuchFileException"),
        errors("  - {name: a, url: 'https://x.test/', secretFile: nope.secret}\n"));
    Files.writeString(dir.resolve("empty.secret"), "\n");
    assertEquals(List.of("webhooks[0].secretFile: " + dir.resolve("empty.secret") + " is empty: its first line is "
        + "the HMAC key"), errors("  - {name: a, url: 'https://x.test/', secretFile: empty.secret}\n"));
    Files.writeString(dir.resolve("short.secret"), "hunter2\n");
    assertEquals(List.of("webhooks[0].secretFile: " + dir.resolve("short.secret") + ": the key is 7 characters, "
        + "at least 16 are needed (openssl rand -hex 32)"),
        errors("  - {name: a, url: 'https://x.test/', secretFile: short.secret}\n"));
    assertEquals(List.of("webhooks[0].secretFile: required"), errors("  - {name: a, url: 'https://x.test/'}\n"));
  }

  @Test
  void unknownKeyAndEventAreNamed() {
    List<String> errors = errors("  - {name: a, url: 'https://x.test/', secretFile: hook.secret, evnts: [Failed]}\n");
    assertEquals(1, errors.size(), errors.toString());
    assertTrue(errors.get(0).startsWith("webhooks[0]: unknown key 'evnts' (did you mean 'events'?); allowed keys: "
        + "name, url, secretFile, events"), errors.get(0));
    assertEquals(List.of("webhooks[0].events[1]: 'Opened' is not one of Delivered, Deferred, Failed, Bounced"),
        errors("  - {name: a, url: 'https://x.test/', secretFile: hook.secret, events: [Failed, Opened]}\n"));
    assertEquals(List.of("webhooks[0].events: no event: list at least one of Delivered, Deferred, Failed, Bounced "
        + "(or leave the key out for all four; enabled: false turns the webhook off)"),
        errors("  - {name: a, url: 'https://x.test/', secretFile: hook.secret, events: []}\n"));
  }

  @Test
  void namesAreCheckedAndUnique() {
    assertEquals(List.of("webhooks[0].name: 'my hook' is not a webhook name: 1-64 letters, digits and . _ -"),
        errors("  - {name: 'my hook', url: 'https://x.test/', secretFile: hook.secret}\n"));
    assertEquals(List.of("webhooks[1].name: webhook 'CRM' is listed twice"),
        errors("  - {name: crm, url: 'https://x.test/', secretFile: hook.secret}\n"
            + "  - {name: CRM, url: 'https://y.test/', secretFile: hook.secret}\n"));
  }

  @Test
  void timeoutsAreBounded() {
    assertEquals(List.of("webhooks[0].timeout: 10m (600 seconds) out of range (1-300)"),
        errors("  - {name: a, url: 'https://x.test/', secretFile: hook.secret, timeout: 10m}\n"));
    assertEquals(List.of("webhooks[0].maxRetryTime: 30d (2592000 seconds) out of range (0-604800)"),
        errors("  - {name: a, url: 'https://x.test/', secretFile: hook.secret, maxRetryTime: 30d}\n"));
  }

  @Test
  void unknownTopLevelKeySuggestsWebhooks() {
    List<String> errors = TestYaml.errorsOf("serverName: EX01\nacceptedDomains: [contoso.test]\nwebhook: []\n");
    assertEquals(1, errors.size(), errors.toString());
    assertTrue(errors.get(0).contains("unknown key 'webhook' (did you mean 'webhooks'?)"), errors.get(0));
    assertNull(OrganizationReader.webhookUrlProblem("https://x.test/", false));
  }
}
