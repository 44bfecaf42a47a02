package io.mailflow.organization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.organization.ReceiveConnector.Permission;
import io.mailflow.organization.ReceiveConnector.PermissionGroup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS, AUTH and permission settings of receive connectors, and mailbox passwords and Send As grants. */
class ConnectorSecurityConfigTest {
  private static final String HEAD = "serverName: EX01\nacceptedDomains: [contoso.test]\n"
      + "mailboxes:\n  - {name: Alice, primarySmtpAddress: alice@contoso.test}\n"
      + "  - {name: Bob, primarySmtpAddress: bob@contoso.test}\n"
      + "groups: [{name: Relayers, primarySmtpAddress: relayers@contoso.test, members: [bob@contoso.test]}]\n";
  private static final String HASH = PasswordHash.create("secret".toCharArray(), PasswordHash.MIN_ITERATIONS).encoded();

  @Test
  void securityDefaultsAreExchanges() throws Exception {
    ReceiveConnector c = connector("{name: R, bindings: [\"127.0.0.1:2525\"]}");
    assertNull(c.certificate(), "no certificate: the node's default one, if any");
    assertFalse(c.implicitTls());
    assertEquals(3, c.maxLogonFailures());
    assertEquals(Duration.ofSeconds(5), c.tarpitInterval());
    assertEquals(List.of(), c.permissions());
  }

  @Test
  void certificateFilesResolveAgainstTheOrganizationFilesDirectory(@TempDir Path dir) throws Exception {
    Path tls = Files.createDirectories(dir.resolve("tls"));
    Files.copy(resource("tls/cert.pem"), tls.resolve("cert.pem"));
    Files.copy(resource("tls/key.pem"), tls.resolve("key.pem"));
    Path file = dir.resolve("org.yaml");
    Files.writeString(file, HEAD + "receiveConnectors:\n  - name: Submission\n    bindings: [\"127.0.0.1:2465\"]\n"
        + "    implicitTls: true\n    certificate: {certFile: tls/cert.pem, keyFile: tls/key.pem}\n");
    ReceiveConnector c = OrganizationLoader.load(file).receiveConnectors().get(0);
    assertEquals(new ReceiveConnector.Certificate(tls.resolve("cert.pem").toAbsolutePath().toString(),
        tls.resolve("key.pem").toAbsolutePath().toString()), c.certificate());
    assertTrue(c.implicitTls());
  }

  @Test
  void missingOrWrongCertificateFilesAreReportedWithTheirPaths(@TempDir Path dir) throws Exception {
    Path key = dir.resolve("key.pem");
    Files.copy(resource("tls/key.pem"), key);
    Path encrypted = Files.writeString(dir.resolve("enc.pem"),
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
    String yaml = HEAD + "receiveConnectors:\n"
        + "  - {name: A, bindings: [\"127.0.0.1:1\"], certificate: {certFile: " + dir.resolve("none.pem")
        + ", keyFile: " + encrypted + "}}\n"
        + "  - {name: B, bindings: [\"127.0.0.1:2\"], certificate: {certFile: " + key + ", keyFile: " + key + "}}\n"
        + "  - {name: C, bindings: [\"127.0.0.1:3\"], certificate: {certFile: " + key + "}}\n";
    assertEquals(List.of(
        "receiveConnectors[0].certificate.certFile: " + dir.resolve("none.pem") + ": no such file",
        "receiveConnectors[0].certificate.keyFile: " + encrypted + ": the private key is encrypted; mailflow needs it "
            + "unencrypted (openssl pkey -in KEY -out PLAIN.pem), readable by mailflow only",
        "receiveConnectors[1].certificate.certFile: " + key
            + ": no '-----BEGIN CERTIFICATE-----' block (a PEM certificate, chain first-to-last)",
        "receiveConnectors[2].certificate.keyFile: required",
        "receiveConnectors[2].certificate.certFile: " + key
            + ": no '-----BEGIN CERTIFICATE-----' block (a PEM certificate, chain first-to-last)"),
        errorsOf(yaml));
  }

  @Test
  void tlsCipherSuitesDefaultToForwardSecretAeadSuitesAndCanBeNarrowed() throws Exception {
    assertEquals(TlsCipherPolicy.DEFAULT_CIPHER_SUITES, connector("{name: R, bindings: [\"127.0.0.1:2525\"]}")
        .tlsCipherSuites());
    assertEquals(List.of("TLS_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
        connector("{name: R, bindings: [\"127.0.0.1:2525\"], tlsCipherSuites: [TLS_AES_256_GCM_SHA384, "
            + "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384]}").tlsCipherSuites());
    for (String suite : TlsCipherPolicy.DEFAULT_CIPHER_SUITES) {
      assertNull(TlsCipherPolicy.problem(suite), suite);
    }
  }

  @Test
  void unknownWeakOrEmptyTlsCipherSuitesAreReportedWithTheirPaths() {
    String yaml = HEAD + "receiveConnectors:\n"
        + "  - {name: A, bindings: [\"127.0.0.1:1\"], tlsCipherSuites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "
        + "TLS_RSA_WITH_AES_128_GCM_SHA256, ECDHE-RSA-AES128-GCM-SHA256, TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256]}\n"
        + "  - {name: B, bindings: [\"127.0.0.1:2\"], tlsCipherSuites: []}\n";
    assertEquals(List.of(
        "receiveConnectors[0].tlsCipherSuites[1]: 'TLS_RSA_WITH_AES_128_GCM_SHA256' has no forward secrecy (its key "
            + "exchange is not ECDHE or DHE)",
        "receiveConnectors[0].tlsCipherSuites[2]: 'ECDHE-RSA-AES128-GCM-SHA256' is not a cipher suite this JVM knows "
            + "(IANA names, e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)",
        "receiveConnectors[0].tlsCipherSuites[3]: 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256' is not an AEAD suite (only "
            + "AES-GCM and ChaCha20-Poly1305)",
        "receiveConnectors[1].tlsCipherSuites: no cipher suite: leave the key out for the default list"),
        errorsOf(yaml));
  }

  @Test
  void logonFailureAndTarpitSettingsTakeExchangesRanges() throws Exception {
    ReceiveConnector c = connector("{name: R, bindings: [\"127.0.0.1:2525\"], maxLogonFailures: 0, tarpitInterval: 00:00:30}");
    assertEquals(0, c.maxLogonFailures());
    assertEquals(Duration.ofSeconds(30), c.tarpitInterval());
    assertEquals(List.of("receiveConnectors[0].maxLogonFailures: 11 out of range (0-10)",
            "receiveConnectors[0].tarpitInterval: 11m (660 seconds) out of range (0-600)"),
        errorsOf(HEAD + "receiveConnectors: [{name: R, bindings: [\"127.0.0.1:2525\"], maxLogonFailures: 11, "
            + "tarpitInterval: 11m}]\n"));
  }

  @Test
  void authFailuresAcrossSessionsHaveDefaultsAndNamedErrors() throws Exception {
    ReceiveConnector d = connector("{name: R, bindings: [\"127.0.0.1:2525\"]}");
    assertEquals(new ReceiveConnector.AuthFailureLimits(3, 10, Duration.ofMinutes(15)), d.authFailureLimits());
    ReceiveConnector c = connector("{name: R, bindings: [\"127.0.0.1:2525\"], authFailureTarpitThreshold: 0, "
        + "authFailureRefusalThreshold: 50, authFailureWindow: 01:00:00}");
    assertEquals(new ReceiveConnector.AuthFailureLimits(0, 50, Duration.ofHours(1)), c.authFailureLimits());
    assertEquals(List.of("receiveConnectors[0].authFailureTarpitThreshold: -1 out of range (0-1000)",
            "receiveConnectors[0].authFailureWindow: 0 out of range (1-86400)"),
        errorsOf(HEAD + "receiveConnectors: [{name: R, bindings: [\"127.0.0.1:2525\"], authFailureTarpitThreshold: -1, "
            + "authFailureWindow: 0}]\n"));
    assertEquals(List.of("receiveConnectors[0].authFailureRefusalThreshold: authFailureRefusalThreshold (2) must not "
            + "be less than authFailureTarpitThreshold (5): a client would be refused before it is slowed down"),
        errorsOf(HEAD + "receiveConnectors: [{name: R, bindings: [\"127.0.0.1:2525\"], authFailureTarpitThreshold: 5, "
            + "authFailureRefusalThreshold: 2}]\n"));
  }

  @Test
  void permissionsGrantAndDenyExtendedRightsByExchangeName() throws Exception {
    ReceiveConnector c = connector("name: Relay\n    bindings: [\"127.0.0.1:2526\"]\n"
        + "    permissionGroups: [AnonymousUsers]\n    permissions:\n"
        + "      - {user: relayers@contoso.test, extendedRights: [ms-Exch-SMTP-Accept-Any-Recipient, MS-EXCH-BYPASS-ANTI-SPAM]}\n"
        + "      - user: NT AUTHORITY\\ANONYMOUS LOGON\n"
        + "        extendedRights: [ms-Exch-SMTP-Accept-Authoritative-Domain-Sender]\n        deny: true\n");
    assertEquals(List.of(
        new Permission("relayers@contoso.test",
            Set.of(ExtendedRight.SMTP_ACCEPT_ANY_RECIPIENT, ExtendedRight.BYPASS_ANTI_SPAM), false),
        new Permission("NT AUTHORITY\\ANONYMOUS LOGON",
            Set.of(ExtendedRight.SMTP_ACCEPT_AUTHORITATIVE_DOMAIN_SENDER), true)), c.permissions());
    assertTrue(c.permissions().get(1).forAnonymous());
  }

  @Test
  void badPermissionsAreReportedWithTheirPaths() {
    String yaml = HEAD + "receiveConnectors:\n  - name: R\n    bindings: [\"127.0.0.1:2526\"]\n    permissions:\n"
        + "      - {user: carol@contoso.test, extendedRights: [ms-Exch-SMTP-Submit]}\n"
        + "      - {user: everyone, extendedRights: [ms-Exch-SMTP-Relay]}\n"
        + "      - {user: alice@contoso.test, extendedRights: []}\n";
    assertEquals(List.of(
        "receiveConnectors[0].permissions[0].user: no mailbox or group has the address carol@contoso.test",
        "receiveConnectors[0].permissions[1].user: 'everyone' is neither a mailbox or group address nor one of "
            + "'NT AUTHORITY\\ANONYMOUS LOGON', 'NT AUTHORITY\\Authenticated Users'",
        "receiveConnectors[0].permissions[1].extendedRights[0]: 'ms-Exch-SMTP-Relay' is not one of ms-Exch-SMTP-Submit, "
            + "ms-Exch-SMTP-Accept-Any-Recipient, ms-Exch-SMTP-Accept-Any-Sender, "
            + "ms-Exch-SMTP-Accept-Authoritative-Domain-Sender, ms-Exch-Bypass-Anti-Spam, ms-Exch-Accept-Headers-Routing",
        "receiveConnectors[0].permissions[2].extendedRights: required: at least one right, e.g. "
            + "[ms-Exch-SMTP-Accept-Any-Recipient]"),
        errorsOf(yaml));
  }

  @Test
  void permissionGroupsStandForExchangesRights() {
    assertEquals(Set.of(ExtendedRight.SMTP_SUBMIT, ExtendedRight.SMTP_ACCEPT_ANY_SENDER,
        ExtendedRight.SMTP_ACCEPT_AUTHORITATIVE_DOMAIN_SENDER, ExtendedRight.ACCEPT_HEADERS_ROUTING),
        PermissionGroup.AnonymousUsers.rights());
    assertEquals(Set.of(ExtendedRight.SMTP_SUBMIT, ExtendedRight.SMTP_ACCEPT_ANY_RECIPIENT,
        ExtendedRight.BYPASS_ANTI_SPAM, ExtendedRight.ACCEPT_HEADERS_ROUTING), PermissionGroup.ExchangeUsers.rights());
    assertEquals(Set.of(ExtendedRight.values()), PermissionGroup.ExchangeServers.rights());
    assertEquals(Set.of(ExtendedRight.SMTP_SUBMIT, ExtendedRight.ACCEPT_HEADERS_ROUTING), PermissionGroup.Partners.rights());
    assertEquals(Set.of(), PermissionGroup.Custom.rights());
  }

  @Test
  void demoFrontendDeniesAnonymousSendersTheOrganizationsOwnDomains() {
    ReceiveConnector frontend = OrganizationLoader.demo().receiveConnectors().get(0);
    assertEquals(List.of(new Permission(Permission.ANONYMOUS_LOGON,
        Set.of(ExtendedRight.SMTP_ACCEPT_AUTHORITATIVE_DOMAIN_SENDER), true)), frontend.permissions());
    assertNull(OrganizationLoader.demo().mailboxes().get(0).passwordHash(), "passwords are made at first start");
  }

  @Test
  void mailboxPasswordHashAndSendAsAreRead() throws Exception {
    Organization org = OrganizationLoader.parse(HEAD.replace("{name: Alice, primarySmtpAddress: alice@contoso.test}",
        "{name: Alice, primarySmtpAddress: alice@contoso.test, passwordHash: \"" + HASH + "\", sendAs: [Relayers@contoso.test]}"),
        "org.yaml");
    Mailbox alice = org.mailboxes().get(0);
    assertEquals(HASH, alice.passwordHash());
    assertEquals(List.of("Relayers@contoso.test"), alice.sendAs());
    assertNull(org.mailboxes().get(1).passwordHash());
    assertFalse(alice.toString().contains(HASH), "the hash stays out of toString");
  }

  @Test
  void badPasswordHashAndUnknownSendAsAreReported() {
    String yaml = HEAD.replace("{name: Alice, primarySmtpAddress: alice@contoso.test}",
        "{name: Alice, primarySmtpAddress: alice@contoso.test, passwordHash: secret, sendAs: [carol@contoso.test]}")
        .replace("{name: Bob, primarySmtpAddress: bob@contoso.test}",
            "{name: Bob, primarySmtpAddress: bob@contoso.test, passwordHash: \"pbkdf2-sha256$1000$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA\"}");
    assertEquals(List.of(
        "mailboxes[0].passwordHash: not a password hash of the form pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>; "
            + "make one with 'mailflow directory hash-password'",
        "mailboxes[0].sendAs[0]: no mailbox or group has the address carol@contoso.test (Send As is granted on "
            + "recipients of this organization)",
        "mailboxes[1].passwordHash: password hash iterations 1000 out of range (10000-100000000)"),
        errorsOf(yaml));
  }

  private static ReceiveConnector connector(String yaml) throws OrganizationException {
    String body = yaml.startsWith("{") ? "receiveConnectors: [" + yaml + "]\n" : "receiveConnectors:\n  - " + yaml;
    return OrganizationLoader.parse(HEAD + body, "org.yaml").receiveConnectors().get(0);
  }

  private static List<String> errorsOf(String yaml) {
    return assertThrows(OrganizationException.class, () -> OrganizationLoader.parse(yaml, "org.yaml")).errors();
  }

  private static Path resource(String name) throws Exception {
    return Path.of(ConnectorSecurityConfigTest.class.getClassLoader().getResource(name).toURI());
  }
}
