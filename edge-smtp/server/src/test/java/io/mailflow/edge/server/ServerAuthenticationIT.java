package io.mailflow.edge.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.organization.Organization;
import io.mailflow.organization.ReceiveConnector;
import io.mailflow.organization.ReceiveConnector.AuthMechanism;
import io.mailflow.organization.ReceiveConnector.PermissionGroup;
import io.mailflow.organization.Server;
import io.mailflow.organization.TransportConfig;
import io.mailflow.schemas.avro.ProtocolEvent;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Server authentication on real TLS sockets: a client certificate naming a server of the organization
 * (ExchangeServers), one naming a host of a domain-secure partner (Partners), untrusted, valid-but-unknown
 * and absent certificates (anonymous), and an externally secured connector (ExternalAuthoritative).
 */
class ServerAuthenticationIT {
  static final String SERVERS = "Server Auth EX01";
  static final String SERVERS_TLS = "Server Auth TLS EX01";
  static final String SECURED = "Externally Secured EX01";
  static final String OUTSIDE = "someone@external.example";

  @RegisterExtension static final EdgeRig rig = EdgeRig.inMemory();
  private RecordingEvents events;
  private SmtpEdge edge;

  static Organization organization() {
    List<String> trusted = List.of(TestTls.resource("tls/clients/ca.pem").toString());
    Set<PermissionGroup> groups = Set.of(PermissionGroup.AnonymousUsers, PermissionGroup.ExchangeServers,
        PermissionGroup.Partners);
    Set<AuthMechanism> auth = Set.of(AuthMechanism.Tls, AuthMechanism.ExchangeServer);
    Organization base = TestOrganization.with(List.of(
        TestOrganization.secured(SERVERS, groups, auth, null, false, 3, Duration.ZERO, List.of())
            .withTrustedCertificates(trusted),
        TestOrganization.secured(SERVERS_TLS, groups, auth, TestTls.certificate(), true, 3, Duration.ZERO, List.of())
            .withTrustedCertificates(trusted),
        TestOrganization.secured(SECURED, Set.of(PermissionGroup.ExchangeServers),
            Set.of(AuthMechanism.ExternalAuthoritative), null, false, 3, Duration.ZERO, List.of())));
    return new Organization(base.serverName(), base.siteName(), base.kafka(), base.acceptedDomains(),
        base.receiveConnectors(), base.sendConnectors(), base.sites(), base.siteLinks(),
        List.of(new Server("EX01", base.siteName()), new Server("EX02", base.siteName())), base.databases(),
        base.mailboxes(), base.groups(), base.contacts(), base.mailUsers(),
        new TransportConfig(500, 1000, List.of("fabrikam.test")));
  }

  @BeforeEach
  void start() throws Exception {
    events = new RecordingEvents();
    edge = rig.start(organization(), new RecordingPublisher(), events,
        EdgeOptions.defaults().withDefaultCertificate(TestTls.certificate()));
  }

  /** A TLS client trusting the test server certificate and presenting {@code name}.pem (null: no certificate). */
  static SSLContext presenting(String name) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("server", certificate("tls/cert.pem"));
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    KeyManagerFactory kmf = null;
    if (name != null) {
      String pem = Files.readString(TestTls.resource("tls/clients/" + name + ".key"));
      byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", "").strip());
      PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry("client", key, new char[0],
          new Certificate[] {certificate("tls/clients/" + name + ".pem")});
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, new char[0]);
    }
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return context;
  }

  private static Certificate certificate(String resource) throws Exception {
    try (InputStream in = Files.newInputStream(TestTls.resource(resource))) {
      return CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  /** STARTTLS presenting {@code certificate}, then EHLO inside TLS. */
  private SmtpTestClient overTls(String certificate) throws Exception {
    SmtpTestClient client = rig.client(edge, SERVERS);
    client.reply();
    client.command("EHLO ex02.contoso.test");
    assertEquals("220 2.0.0 SMTP server ready", client.command("STARTTLS"));
    client.handshake(presenting(certificate));
    client.command("EHLO ex02.contoso.test");
    return client;
  }

  /** The data of the session's last {@code *} line with this context, waiting for it to be written. */
  private String logged(String context) {
    return await().atMost(Duration.ofSeconds(5)).until(() -> events.protocol.stream()
        .filter(p -> context.equals(p.getContext())).map(ProtocolEvent::getData).reduce((a, b) -> b).orElse(null),
        data -> data != null);
  }

  @Test
  void aServersCertificateMakesTheSessionAnExchangeServerThatMayRelay() throws Exception {
    try (SmtpTestClient client = overTls("ex02")) {
      assertEquals("250 2.1.0 Sender OK", client.command("MAIL FROM:<" + OUTSIDE + ">"));
      assertEquals("250 2.1.5 Recipient OK", client.command("RCPT TO:<someone@elsewhere.example>"));
    }
    assertEquals("ex02.contoso.test (Exchange Servers, TLS client certificate)", logged("authenticated"));
    assertTrue(logged("Received certificate").startsWith("CN=ex02.contoso.test; thumbprint "));
    assertTrue(logged("Set Session Permissions").contains("SMTPAcceptAnyRecipient"));
  }

  @Test
  void implicitTlsAsksForTheCertificateInTheFirstHandshake() throws Exception {
    try (SmtpTestClient client = SmtpTestClient.implicitTls(edge.listening(SERVERS_TLS).get(0), presenting("ex02"))) {
      client.reply();
      client.command("EHLO ex02.contoso.test");
      assertEquals("250 2.1.0 Sender OK", client.command("MAIL FROM:<" + OUTSIDE + ">"));
      assertEquals("250 2.1.5 Recipient OK", client.command("RCPT TO:<someone@elsewhere.example>"));
    }
    assertEquals("ex02.contoso.test (Exchange Servers, TLS client certificate)", logged("authenticated"));
  }

  @Test
  void aDomainSecurePartnerSubmitsFromItsDomainButMayNotRelay() throws Exception {
    try (SmtpTestClient client = overTls("partner")) {
      assertEquals("550 5.7.60 SMTP; Client does not have permissions to send as this sender",
          client.command("MAIL FROM:<" + OUTSIDE + ">"));
      assertEquals("250 2.1.0 Sender OK", client.command("MAIL FROM:<carol@fabrikam.test>"));
      assertEquals("550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain",
          client.command("RCPT TO:<someone@elsewhere.example>"));
      assertEquals("250 2.1.5 Recipient OK", client.command("RCPT TO:<alice@contoso.test>"));
    }
    assertEquals("fabrikam.test (MS Exchange\\Partner Servers, domain secure)", logged("authenticated"));
    assertEquals("SMTPSubmit AcceptRoutingHeaders", logged("Set Session Permissions"));
  }

  @Test
  void anUntrustedCertificateLeavesTheSessionAnonymousWithoutFailingTheHandshake() throws Exception {
    try (SmtpTestClient client = overTls("rogue-ex02")) {
      assertEquals("250 2.1.0 Sender OK", client.command("MAIL FROM:<" + OUTSIDE + ">"));
      assertEquals("550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain",
          client.command("RCPT TO:<someone@elsewhere.example>"));
    }
    assertTrue(logged("Client certificate not accepted; the session stays anonymous").startsWith("not trusted: "));
    assertTrue(events.protocol.stream().noneMatch(p -> "authenticated".equals(p.getContext())));
  }

  @Test
  void aValidCertificateNamingNobodyKnownLeavesTheSessionAnonymous() throws Exception {
    try (SmtpTestClient client = overTls("stranger")) {
      client.command("MAIL FROM:<" + OUTSIDE + ">");
      assertEquals("550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain",
          client.command("RCPT TO:<someone@elsewhere.example>"));
    }
    assertTrue(logged("Client certificate not accepted; the session stays anonymous")
        .endsWith("mail.stranger.test"));
  }

  @Test
  void noCertificateLeavesTheSessionAnonymous() throws Exception {
    try (SmtpTestClient client = overTls(null)) {
      client.command("MAIL FROM:<" + OUTSIDE + ">");
      assertEquals("550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain",
          client.command("RCPT TO:<someone@elsewhere.example>"));
    }
    assertEquals("no client certificate", logged("Client certificate not accepted; the session stays anonymous"));
  }

  @Test
  void everySessionOnAnExternallySecuredConnectorIsAnExchangeServer() throws Exception {
    try (SmtpTestClient client = new SmtpTestClient(edge.listening(SECURED).get(0))) {
      client.reply();
      client.command("EHLO ex02.contoso.test");
      assertEquals("250 2.1.0 Sender OK", client.command("MAIL FROM:<" + OUTSIDE + ">"));
      assertEquals("250 2.1.5 Recipient OK", client.command("RCPT TO:<someone@elsewhere.example>"));
    }
    assertEquals("MS Exchange\\Externally Secured Servers (ExternalAuthoritative)", logged("authenticated"));
    assertTrue(logged("Set Session Permissions").contains("SMTPAcceptAnyRecipient"));
  }
}
