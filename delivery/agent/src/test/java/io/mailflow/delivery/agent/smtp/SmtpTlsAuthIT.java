package io.mailflow.delivery.agent.smtp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.delivery.agent.smtp.ScriptedSmtpServer.Script;
import io.mailflow.delivery.agent.smtp.TlsPolicy.AuthLevel;
import io.mailflow.delivery.core.DeliveryOutcome;
import io.mailflow.delivery.core.DeliveryOutcome.Delivered;
import io.mailflow.delivery.core.DeliveryOutcome.Transient;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** STARTTLS (opportunistic and required, with certificate checks) and AUTH to a smart host, against the scripted server. */
class SmtpTlsAuthIT {

  private static final byte[] MESSAGE = "From: a@src.test\r\nTo: b@dst.test\r\nSubject: hi\r\n\r\nHello.\r\n"
      .getBytes(UTF_8);
  private static final String HOST = "mx.dst.test";

  @TempDir
  static Path certDir;
  private static TestCertificate certificate;

  private Vertx vertx;
  private SmtpClient client;
  private ScriptedSmtpServer server;

  @BeforeAll
  static void makeCertificate() throws Exception {
    certificate = TestCertificate.create(certDir, HOST);
  }

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (server != null) {
      server.close();
    }
    if (client != null) {
      client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private SendResult send(Script script, TlsPolicy tls, SmartHostAuth auth) throws Exception {
    server = ScriptedSmtpServer.start(vertx, script);
    client = SmtpClient.create(vertx, new SmtpClientOptions().setHeloName("mf1.contoso.test")
        .setConnectTimeout(Duration.ofSeconds(5)).setReplyTimeout(Duration.ofSeconds(5)).setTls(tls).setAuth(auth));
    return client.send("127.0.0.1", server.port(), OutboundMessage.of("a@src.test", List.of("b@dst.test"), MESSAGE))
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static DeliveryOutcome only(SendResult result) {
    assertEquals(1, result.outcomes().size(), result.outcomes().toString());
    return result.outcomes().get(0);
  }

  private static TlsPolicy required(AuthLevel level, String domain, boolean trustTestCa) {
    return TlsPolicy.required(level, domain, trustTestCa ? List.of(certificate.certificatePem().toString()) : List.of());
  }

  @Test
  void offeredStartTlsIsUsedOpportunisticallyAndEhloIsRepeatedInside() throws Exception {
    SendResult result = send(new Script().tls(certificate), TlsPolicy.OPPORTUNISTIC, SmartHostAuth.NONE);

    assertInstanceOf(Delivered.class, only(result));
    assertEquals(List.of("EHLO mf1.contoso.test", "STARTTLS", "EHLO mf1.contoso.test"),
        List.copyOf(server.commands).subList(0, 3)); // a snapshot: the server may still record QUIT
    assertEquals(List.of("tls"), server.mailSecurity);
    assertEquals(1, server.messages.size());
  }

  @Test
  void serverWithoutStartTlsGetsPlaintextWhenTlsIsOpportunistic() throws Exception {
    SendResult result = send(new Script(), TlsPolicy.OPPORTUNISTIC, SmartHostAuth.NONE);

    assertInstanceOf(Delivered.class, only(result));
    assertEquals(List.of(), server.commandsStartingWith("STARTTLS"));
    assertEquals(List.of("plain"), server.mailSecurity);
  }

  @Test
  void failedOpportunisticHandshakeRetriesTheSameHostWithoutTls() throws Exception {
    SendResult result = send(new Script().tls(certificate).brokenTls(), TlsPolicy.OPPORTUNISTIC, SmartHostAuth.NONE);

    assertInstanceOf(Delivered.class, only(result));
    assertEquals(2, server.connections());
    assertEquals(1, server.commandsStartingWith("STARTTLS").size(), "the retry does not try TLS again");
    assertEquals(List.of("plain"), server.mailSecurity);
  }

  @Test
  void requiredTlsNotOfferedIsTransientAndNothingIsSentInPlaintext() throws Exception {
    SendResult result = send(new Script(), required(AuthLevel.ENCRYPTION_ONLY, null, false), SmartHostAuth.NONE);

    Transient t = assertInstanceOf(Transient.class, only(result));
    assertTrue(t.recipientStatus().startsWith("451 4.4.0"), t.recipientStatus());
    assertTrue(t.recipientStatus().contains("TLS is required by the send connector but 127.0.0.1:" + server.port()
        + " does not offer STARTTLS"), t.recipientStatus());
    assertEquals(List.of(), server.commandsStartingWith("MAIL"));
    assertTrue(result.failure().isPresent(), "a failure of the host: the next smart host is tried");
  }

  @Test
  void requiredTlsRefusedByTheServerIsTransient() throws Exception {
    SendResult result = send(new Script().tls(certificate).startTls("454 4.7.0 TLS not available due to local problem"),
        required(AuthLevel.ENCRYPTION_ONLY, null, false), SmartHostAuth.NONE);

    Transient t = assertInstanceOf(Transient.class, only(result));
    assertTrue(t.recipientStatus().contains("454 4.7.0 TLS not available"), t.recipientStatus());
    assertEquals(List.of(), server.commandsStartingWith("MAIL"));
  }

  @Test
  void certificateValidationAcceptsACertificateFromTheTrustedList() throws Exception {
    SendResult result = send(new Script().tls(certificate),
        required(AuthLevel.CERTIFICATE_VALIDATION, null, true), SmartHostAuth.NONE);

    assertInstanceOf(Delivered.class, only(result));
    assertEquals(List.of("tls"), server.mailSecurity);
  }

  @Test
  void certificateValidationAgainstTheJvmStoreRefusesASelfSignedCertificateWithoutPlaintextRetry() throws Exception {
    SendResult result = send(new Script().tls(certificate),
        required(AuthLevel.CERTIFICATE_VALIDATION, null, false), SmartHostAuth.NONE);

    Transient t = assertInstanceOf(Transient.class, only(result));
    assertTrue(t.recipientStatus().contains("TLS negotiation failed (CertificateValidation)"), t.recipientStatus());
    assertEquals(1, server.connections());
    assertEquals(List.of(), server.commandsStartingWith("MAIL"));
  }

  @Test
  void domainValidationAcceptsTheNamedDomainAndRefusesAnother() throws Exception {
    SendResult ok = send(new Script().tls(certificate), required(AuthLevel.DOMAIN_VALIDATION, HOST, true),
        SmartHostAuth.NONE);
    assertInstanceOf(Delivered.class, only(ok));
    server.close();
    client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

    SendResult wrong = send(new Script().tls(certificate),
        required(AuthLevel.DOMAIN_VALIDATION, "relay.fabrikam.test", true), SmartHostAuth.NONE);
    Transient t = assertInstanceOf(Transient.class, only(wrong));
    assertTrue(t.recipientStatus().contains("DomainValidation of relay.fabrikam.test"), t.recipientStatus());
    assertEquals(List.of(), server.commandsStartingWith("MAIL"));
  }

  @Test
  void authPlainInsideTlsWhenTheServerOffersIt() throws Exception {
    SendResult result = send(new Script().tls(certificate).auth("LOGIN PLAIN", "relay-user", "s3cret"),
        TlsPolicy.OPPORTUNISTIC, SmartHostAuth.basic("relay-user", "s3cret", true));

    assertInstanceOf(Delivered.class, only(result));
    assertEquals(List.of("relay-user"), server.authenticated);
    assertEquals(1, server.commandsStartingWith("AUTH PLAIN ").size());
    assertEquals(List.of("tls+auth"), server.mailSecurity);
  }

  @Test
  void authLoginWhenPlainIsNotOffered() throws Exception {
    SendResult result = send(new Script().auth("LOGIN", "relay-user", "s3cret"),
        TlsPolicy.OPPORTUNISTIC, SmartHostAuth.basic("relay-user", "s3cret", false));

    assertInstanceOf(Delivered.class, only(result));
    assertEquals(List.of("AUTH LOGIN"), server.commandsStartingWith("AUTH"));
    assertEquals(List.of("plain+auth"), server.mailSecurity);
  }

  @Test
  void refusedCredentialsFailTheHostTransientlyAndNeverShowThePassword() throws Exception {
    SendResult result = send(new Script().auth("PLAIN", "relay-user", "s3cret"),
        TlsPolicy.OPPORTUNISTIC, SmartHostAuth.basic("relay-user", "wrong-password", false));

    Transient t = assertInstanceOf(Transient.class, only(result));
    assertTrue(t.recipientStatus().startsWith("451 4.4.0"), t.recipientStatus());
    assertTrue(t.recipientStatus().contains("535 5.7.3 Authentication unsuccessful"), t.recipientStatus());
    assertFalse(t.recipientStatus().contains("wrong-password"));
    assertFalse(SmartHostAuth.basic("relay-user", "wrong-password", false).toString().contains("wrong-password"));
    assertEquals(List.of(), server.commandsStartingWith("MAIL"));
  }

  @Test
  void basicAuthRequireTlsSendsNoCredentialsWithoutTls() throws Exception {
    SendResult result = send(new Script().auth("PLAIN LOGIN", "relay-user", "s3cret"),
        TlsPolicy.OPPORTUNISTIC, SmartHostAuth.basic("relay-user", "s3cret", true));

    Transient t = assertInstanceOf(Transient.class, only(result));
    assertTrue(t.recipientStatus().contains("BasicAuthRequireTLS"), t.recipientStatus());
    assertEquals(List.of(), server.commandsStartingWith("AUTH"));
    assertEquals(List.of(), server.commandsStartingWith("MAIL"));
  }
}
