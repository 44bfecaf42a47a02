package io.mailflow.edge.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.organization.Organization;
import io.mailflow.organization.ReceiveConnector;
import io.mailflow.organization.ReceiveConnector.AuthMechanism;
import io.mailflow.organization.ReceiveConnector.PermissionGroup;
import io.mailflow.schemas.avro.ProtocolEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** STARTTLS, implicit TLS and SMTP AUTH against the directory, on real sockets. */
class TlsAndAuthIT {
  static final String SUBMISSION = "Client Frontend EX01";
  static final String IMPLICIT = "Submission TLS EX01";
  static final String FRONTEND = "Default Frontend EX01";
  static final Duration TARPIT = Duration.ofMillis(400);
  private static final SSLContext TRUSTING = TestTls.clientContext();

  @RegisterExtension static final EdgeRig rig = EdgeRig.inMemory();
  private RecordingPublisher publisher;
  private RecordingEvents events;
  private SmtpEdge edge;

  /** The demo's shape: anonymous frontend with STARTTLS, submission with AUTH after TLS, implicit-TLS submission. */
  static Organization organization() {
    Set<AuthMechanism> submissionAuth = Set.of(AuthMechanism.Tls, AuthMechanism.BasicAuth, AuthMechanism.BasicAuthRequireTLS);
    return TestOrganization.withPasswords(List.of(
        TestOrganization.secured(FRONTEND, Set.of(PermissionGroup.AnonymousUsers), Set.of(AuthMechanism.Tls), null,
            false, 3, TARPIT, List.of()),
        TestOrganization.secured(SUBMISSION, Set.of(PermissionGroup.ExchangeUsers), submissionAuth, null, false, 3,
            TARPIT, List.of()),
        TestOrganization.secured(IMPLICIT, Set.of(PermissionGroup.ExchangeUsers), submissionAuth,
            TestTls.certificate(), true, 3, TARPIT, List.of())));
  }

  @BeforeEach
  void start() throws Exception {
    publisher = new RecordingPublisher();
    events = new RecordingEvents();
    edge = rig.start(organization(), publisher, events,
        EdgeOptions.defaults().withDefaultCertificate(TestTls.certificate()));
  }

  private SmtpTestClient connect(String connector) throws IOException {
    SmtpTestClient client = rig.client(edge, connector);
    client.reply();
    return client;
  }

  /** Connected, STARTTLS done, greeted again inside TLS. */
  private SmtpTestClient overTls(String connector) throws IOException {
    SmtpTestClient client = connect(connector);
    client.command("EHLO client.example");
    assertEquals("220 2.0.0 SMTP server ready", client.command("STARTTLS"));
    client.handshake(TRUSTING);
    client.command("EHLO client.example");
    return client;
  }

  static String plain(String user, String password) {
    return Base64.getEncoder().encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void startTlsIsOfferedWithTheDefaultCertificateAndAuthOnlyInsideTls() throws Exception {
    try (SmtpTestClient client = connect(SUBMISSION)) {
      String before = client.command("EHLO client.example");
      assertTrue(before.contains("250-STARTTLS"), before);
      assertFalse(before.contains("AUTH"), "BasicAuthRequireTLS: no AUTH before TLS\n" + before);
      assertEquals("530 5.7.0 Must issue a STARTTLS command first",
          client.command("AUTH PLAIN " + plain("alice@contoso.test", TestOrganization.ALICE_PASSWORD)));
      client.command("STARTTLS");
      client.handshake(TRUSTING);
      assertEquals("CN=mail.contoso.test",
          client.tlsSocket().getSession().getPeerPrincipal().getName(), "the connector's certificate");
      String after = client.command("EHLO client.example");
      assertTrue(after.contains("250-AUTH PLAIN LOGIN"), after);
      assertFalse(after.contains("STARTTLS"), after);
    }
  }

  @Test
  void requireTlsRefusesAMailTransactionInTheClearButNotInsideTls() throws Exception {
    Organization org = TestOrganization.withPasswords(List.of(TestOrganization.secured(FRONTEND,
        Set.of(PermissionGroup.AnonymousUsers), Set.of(AuthMechanism.Tls), null, false, 3, TARPIT, List.of())
        .withRequireTls(true)));
    SmtpEdge strict = rig.start(org, publisher, events,
        EdgeOptions.defaults().withDefaultCertificate(TestTls.certificate()));
    try (SmtpTestClient client = rig.client(strict, FRONTEND)) {
      client.reply();
      client.command("EHLO client.example");
      assertEquals("530 5.7.0 Must issue a STARTTLS command first", client.command("MAIL FROM:<carol@example.com>"));
      client.command("STARTTLS");
      client.handshake(TRUSTING);
      client.command("EHLO client.example");
      assertEquals("250 2.1.0 Sender OK", client.command("MAIL FROM:<carol@example.com>"));
    }
  }

  @Test
  void authenticatedUserRelaysOwnMailAfterStartTls() throws Exception {
    try (SmtpTestClient client = overTls(SUBMISSION)) {
      assertEquals("235 2.7.0 Authentication successful",
          client.command("AUTH PLAIN " + plain("Alice@Contoso.test", TestOrganization.ALICE_PASSWORD)));
      assertEquals("250 2.1.0 Sender OK", client.command("MAIL FROM:<alice@contoso.test>"));
      assertEquals("250 2.1.5 Recipient OK", client.command("RCPT TO:<someone@fabrikam.example>"));
      client.command("DATA");
      assertTrue(client.command("Subject: out\r\n\r\nhi\r\n.").startsWith("250 2.6.0 "));
    }
    assertEquals("someone@fabrikam.example", publisher.published.get(0).getRecipients().get(0).getAddress());
  }

  @Test
  void authenticatedUserCannotSendAsSomeoneElse() throws Exception {
    try (SmtpTestClient client = overTls(SUBMISSION)) {
      client.command("AUTH PLAIN " + plain("alice@contoso.test", TestOrganization.ALICE_PASSWORD));
      assertEquals("550 5.7.60 SMTP; Client does not have permissions to send as this sender",
          client.command("MAIL FROM:<bob@contoso.test>"));
      assertEquals("250 2.1.0 Sender OK", client.command("MAIL FROM:<team@contoso.test>"), "Send As on team@");
    }
  }

  @Test
  void loginMechanismWorksAndAnonymousSubmissionIsRefused() throws Exception {
    try (SmtpTestClient client = overTls(SUBMISSION)) {
      assertEquals("530 5.7.57 SMTP; Client was not authenticated to send anonymous mail during MAIL FROM",
          client.command("MAIL FROM:<carol@example.com>"));
      assertEquals("334 VXNlcm5hbWU6", client.command("AUTH LOGIN"));
      assertEquals("334 UGFzc3dvcmQ6", client.command(b64("bob@contoso.test")));
      assertEquals("235 2.7.0 Authentication successful", client.command(b64(TestOrganization.BOB_PASSWORD)));
      assertEquals("250 2.1.0 Sender OK", client.command("MAIL FROM:<bob@contoso.test>"));
    }
  }

  @Test
  void wrongPasswordsAreRefusedThenTarpittedAndTheSessionDropped() throws Exception {
    try (SmtpTestClient client = overTls(SUBMISSION)) {
      String wrong = "AUTH PLAIN " + plain("alice@contoso.test", "guess");
      assertEquals("535 5.7.3 Authentication unsuccessful", client.command(wrong));
      assertEquals("535 5.7.3 Authentication unsuccessful",
          client.command("AUTH PLAIN " + plain("nobody@contoso.test", "guess")), "unknown users fail alike");
      long start = System.nanoTime();
      assertEquals("535 5.7.3 Authentication unsuccessful", client.command(wrong));
      long waited = Duration.ofNanos(System.nanoTime() - start).toMillis();
      assertTrue(waited >= TARPIT.toMillis() - 50, "the third failure is held back by the tarpit, waited " + waited);
      assertTrue(client.closedByServer(), "then the session ends");
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> has("*", "Tarpit for " + TARPIT.toMillis() + " ms"));
  }

  @Test
  void credentialsNeverReachTheProtocolLog() throws Exception {
    String good = plain("alice@contoso.test", TestOrganization.ALICE_PASSWORD);
    try (SmtpTestClient client = overTls(SUBMISSION)) {
      client.command("AUTH PLAIN " + plain("alice@contoso.test", "wrong-guess"));
      client.command("AUTH LOGIN");
      client.command(b64("bob@contoso.test"));
      client.command(b64("another-wrong-guess"));
      client.command("AUTH PLAIN " + good);
      client.command("QUIT");
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> has("-", null));
    List<String> logged = events.protocol.stream()
        .flatMap(p -> Stream.of(p.getData(), p.getContext())).filter(Objects::nonNull).toList();
    for (String secret : List.of(TestOrganization.ALICE_PASSWORD, "wrong-guess", "another-wrong-guess", good,
        b64("another-wrong-guess"), plain("alice@contoso.test", "wrong-guess"))) {
      assertTrue(logged.stream().noneMatch(line -> line.contains(secret)), "logged: " + secret);
    }
    assertTrue(logged.contains("AUTH PLAIN ****"), String.valueOf(logged));
    assertTrue(logged.contains("alice@contoso.test"), "the identity is logged: " + logged);
    assertTrue(has("*", "authenticated"));
    assertTrue(has("*", "Set Session Permissions"));
  }

  @Test
  void startTlsCommandInjectionIsDiscarded() throws Exception {
    try (SmtpTestClient client = connect(FRONTEND)) {
      client.command("EHLO client.example");
      // one write: STARTTLS and a command smuggled behind it in the clear (CVE-2011-0411)
      client.send("STARTTLS\r\nMAIL FROM:<injected@evil.example>\r\n");
      assertEquals("220 2.0.0 SMTP server ready", client.reply());
      client.handshake(TRUSTING);
      client.command("EHLO client.example");
      assertEquals("503 5.5.2 Need mail command", client.command("RCPT TO:<bob@contoso.test>"),
          "the injected MAIL FROM was never executed");
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> has("-", null));
    assertTrue(events.protocol.stream().noneMatch(p -> String.valueOf(p.getData()).contains("injected")));
  }

  @Test
  void implicitTlsListenerSpeaksTlsFromTheFirstByte() throws Exception {
    try (SmtpTestClient client = SmtpTestClient.implicitTls(edge.listening(IMPLICIT).get(0), TRUSTING)) {
      assertTrue(client.reply().startsWith("220 "));
      String ehlo = client.command("EHLO client.example");
      assertFalse(ehlo.contains("STARTTLS"), ehlo);
      assertTrue(ehlo.contains("250-AUTH PLAIN LOGIN"), "already TLS: AUTH at once\n" + ehlo);
      assertEquals("235 2.7.0 Authentication successful",
          client.command("AUTH PLAIN " + plain("bob@contoso.test", TestOrganization.BOB_PASSWORD)));
    }
  }

  @Test
  void failedHandshakeEndsTheSessionAndIsLogged() throws Exception {
    try (SmtpTestClient client = connect(FRONTEND)) {
      client.command("EHLO client.example");
      client.command("STARTTLS");
      client.send("this is not a TLS ClientHello\r\n\r\n");
      assertTrue(client.closedByServer());
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> has("*", "TLS negotiation failed"));
  }

  @Test
  void requiringTlsForAuthWithoutAnyCertificateIsAStartError() {
    Organization org = organization();
    ExecutionException failure = assertThrows(ExecutionException.class,
        () -> rig.start(org, publisher, events, EdgeOptions.defaults()));
    assertEquals("receive connector 'Client Frontend EX01': authMechanisms BasicAuthRequireTLS needs a TLS certificate, "
        + "or no client could ever authenticate: give the connector certificate: {certFile: ..., keyFile: ...}",
        failure.getCause().getMessage());
  }

  @Test
  void connectorWithTlsButNoCertificateAtAllOffersNoStartTls() throws Exception {
    Organization org = TestOrganization.withPasswords(List.of(TestOrganization.secured(FRONTEND,
        Set.of(PermissionGroup.AnonymousUsers), Set.of(AuthMechanism.Tls), null, false, 3, TARPIT, List.of())));
    SmtpEdge plain = rig.start(org, publisher, events);
    try (SmtpTestClient client = rig.client(plain, FRONTEND)) {
      client.reply();
      assertFalse(client.command("EHLO client.example").contains("STARTTLS"));
    }
  }

  private boolean has(String event, String context) {
    return events.protocol.stream().anyMatch(p -> p.getEvent().equals(event)
        && (context == null || context.equals(p.getContext())));
  }

  static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  @SuppressWarnings("unused")
  private static String dump(List<ProtocolEvent> log) {
    StringBuilder sb = new StringBuilder();
    log.forEach(p -> sb.append(p.getEvent()).append(',').append(p.getData()).append(',').append(p.getContext()).append('\n'));
    return sb.toString();
  }
}
