package io.mailflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.mailflow.organization.Organization;
import io.mailflow.organization.OrganizationLoader;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * testssl.sh (Debian's {@code testssl.sh}; ops/ci/install-test-peers.sh installs it) scans a receive connector of
 * a node started as {@code mailflow run} starts it, with the node's own self-signed certificate, over STARTTLS —
 * what issue 11's tester ran. No finding may be MEDIUM or worse, except the two a self-signed certificate brings
 * by its nature (no chain of trust, no CRL or OCSP address). Skips without the tool; fails without it when CI is
 * set. About a minute: testssl.sh tries every protocol and suite one handshake at a time.
 */
class TestsslIT {
  static final Path BINARY = Path.of("/usr/bin/testssl");
  /** Findings inherent to a self-signed certificate: nobody vouches for it, and nobody can revoke it. */
  static final Set<String> SELF_SIGNED_FINDINGS = Set.of("cert_chain_of_trust", "cert_revocation");
  static final Set<String> BAD = Set.of("MEDIUM", "HIGH", "CRITICAL");

  @TempDir static Path work;
  private static RunCommand.Running running;
  private static List<JsonObject> findings;

  @BeforeAll
  static void scan() throws Exception {
    require();
    int smtpPort = TestPorts.free();
    Organization org = OrganizationLoader.parse("""
        serverName: EX01
        siteName: Default-First-Site-Name
        kafka: { partitions: 1, replicationFactor: 1 }
        acceptedDomains: [ { domainName: contoso.test, type: Authoritative, default: true } ]
        receiveConnectors:
          - name: Default Frontend EX01
            bindings: ["127.0.0.1:%d"]
            permissionGroups: [AnonymousUsers, ExchangeServers]
        mailboxes:
          - { name: Alice, primarySmtpAddress: alice@contoso.test }
        """.formatted(smtpPort), "testssl.yaml");
    running = RunCommand.Running.start(org, work.resolve("data"), 0, new PrintWriter(new StringWriter()));
    Path json = work.resolve("testssl.json");
    Path log = work.resolve("testssl.log");
    // --warnings off: no interactive questions; --ip one: only the address given; timeouts so a stuck handshake
    // ends the scan instead of the build.
    Process testssl = new ProcessBuilder(BINARY.toString(), "--starttls", "smtp", "--quiet", "--color", "0",
        "--warnings", "off", "--ip", "one", "--connect-timeout", "10", "--openssl-timeout", "10",
        "--jsonfile", json.toString(), "127.0.0.1:" + smtpPort)
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!testssl.waitFor(5, TimeUnit.MINUTES)) {
      testssl.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      fail("testssl.sh did not finish within 5 minutes; its output: " + log);
    }
    if (!Files.exists(json)) {
      fail("testssl.sh wrote no findings (exit " + testssl.exitValue() + "):\n" + Files.readString(log));
    }
    findings = new ArrayList<>();
    for (Object o : new JsonArray(Files.readString(json))) {
      findings.add((JsonObject) o);
    }
  }

  @AfterAll
  static void stop() {
    if (running != null) {
      running.close();
    }
  }

  static void require() {
    TestPeer.require(BINARY,
        "testssl.sh is not installed (Debian's testssl.sh; ops/ci/install-test-peers.sh installs it)");
  }

  @Test
  void findsNothingMediumOrWorseBeyondWhatASelfSignedCertificateIs() {
    List<String> bad = findings.stream()
        .filter(f -> BAD.contains(f.getString("severity")) && !SELF_SIGNED_FINDINGS.contains(f.getString("id")))
        .map(f -> f.getString("severity") + " " + f.getString("id") + ": " + f.getString("finding"))
        .toList();
    assertEquals(List.of(), bad);
    List<String> failedScan = findings.stream().filter(f -> "FATAL".equals(f.getString("severity")))
        .map(f -> f.getString("id") + ": " + f.getString("finding")).toList();
    assertEquals(List.of(), failedScan, "testssl.sh could not complete its scan");
  }

  /** The scan really ran the checks the tester failed on: a scan that skipped them must not pass above. */
  @Test
  void sawRenegotiationRefusedAndOnlyModernProtocolsAndSuites() {
    Map<String, JsonObject> byId = new HashMap<>();
    findings.forEach(f -> byId.putIfAbsent(f.getString("id"), f));
    for (String id : List.of("secure_client_renego", "TLS1", "TLS1_1", "TLS1_2", "TLS1_3",
        "cipherlist_AVERAGE", "LUCKY13", "cert_validityPeriod")) {
      assertTrue(byId.containsKey(id), "testssl.sh reported nothing on " + id);
    }
    assertEquals("OK", byId.get("secure_client_renego").getString("severity"),
        byId.get("secure_client_renego").toString());
    assertEquals("not offered", byId.get("TLS1_1").getString("finding"));
    assertTrue(byId.get("TLS1_3").getString("finding").startsWith("offered"), byId.get("TLS1_3").toString());
    assertEquals("not offered", byId.get("cipherlist_AVERAGE").getString("finding"), "CBC suites are offered");
  }
}
