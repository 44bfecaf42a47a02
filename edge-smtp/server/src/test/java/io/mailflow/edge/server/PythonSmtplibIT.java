package io.mailflow.edge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.organization.ReceiveConnector;
import io.mailflow.schemas.avro.BodyType;
import io.mailflow.schemas.avro.DsnNotify;
import io.mailflow.schemas.avro.DsnRet;
import io.mailflow.schemas.avro.Recipient;
import io.mailflow.schemas.avro.SubmittedMessage;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Python's smtplib (standard library, on every fresh machine) against the edge: every extension the
 * edge offers and every refusal, through src/test/resources/clients/smtplib_cases.py. The connectors
 * are TlsAndAuthIT's (anonymous frontend with STARTTLS, submission with AUTH after TLS, implicit TLS;
 * 10 000 octets and 3 recipients each) and one anonymous connector allowing 1 message a minute.
 */
class PythonSmtplibIT {
  private static final String RATE_LIMITED = "Rate Limited EX01";
  private static final String SIZE_REFUSED = "552 5.3.4 Message size exceeds fixed maximum message size";

  @RegisterExtension static final EdgeRig rig = EdgeRig.inMemory();
  private static RecordingPublisher publisher;
  private static SmtpEdge edge;

  @BeforeAll
  static void start() throws Exception {
    ClientProcess.require("python3");
    publisher = new RecordingPublisher();
    List<ReceiveConnector> connectors = new ArrayList<>(TlsAndAuthIT.organization().receiveConnectors());
    connectors.add(TestOrganization.anonymous(RATE_LIMITED, 10_000, 3, 300)
        .withMessageRate(1, ReceiveConnector.MessageRateSource.IPAddress));
    edge = rig.start(TestOrganization.withPasswords(connectors), publisher, new RecordingEvents(),
        EdgeOptions.defaults().withDefaultCertificate(TestTls.certificate()));
  }

  /** Runs one case of smtplib_cases.py against {@code connector}; it must exit 0. Returns what it printed. */
  private static List<String> smtplib(String connector, String pythonCase, String... arguments) throws Exception {
    InetSocketAddress at = edge.listening(connector).get(0);
    List<String> command = new ArrayList<>(List.of("python3", "-B", TestTls.resource("clients/smtplib_cases.py").toString(),
        pythonCase, at.getHostString(), Integer.toString(at.getPort())));
    command.addAll(List.of(arguments));
    ClientProcess.Result r = ClientProcess.run(command);
    assertEquals(0, r.exit(), "smtplib case " + pythonCase + " failed:\n" + r.output());
    return r.lines();
  }

  private static String cafile() {
    return TestTls.resource("tls/cert.pem").toString();
  }

  private static void has(List<String> output, String... lines) {
    for (String line : lines) {
      assertTrue(output.contains(line), "no line '" + line + "' in:\n" + String.join("\n", output));
    }
  }

  private static SubmittedMessage published(String subject) {
    return publisher.published.stream().filter(m -> subject.equals(m.getEnvelope().getSubject())).findFirst()
        .orElseThrow(() -> new AssertionError("nothing published with Subject " + subject));
  }

  private static List<String> addresses(SubmittedMessage m) {
    return m.getRecipients().stream().map(Recipient::getAddress).toList();
  }

  @Test
  void ehloOffersEveryExtensionAndAuthOnlyAfterAVerifiedStartTls() throws Exception {
    List<String> out = smtplib(TlsAndAuthIT.SUBMISSION, "ehlo", cafile());
    has(out, "plain SIZE 10000", "plain PIPELINING", "plain DSN", "plain ENHANCEDSTATUSCODES", "plain STARTTLS",
        "plain 8BITMIME", "plain BINARYMIME", "plain CHUNKING", "plain SMTPUTF8",
        "STARTTLS 220 2.0.0 SMTP server ready",
        "tls SIZE 10000", "tls PIPELINING", "tls AUTH PLAIN LOGIN", "tls 8BITMIME", "tls CHUNKING", "tls DSN",
        "tls SMTPUTF8", "tls ENHANCEDSTATUSCODES",
        "QUIT 221 2.0.0 Service closing transmission channel");
    assertFalse(out.stream().anyMatch(l -> l.startsWith("plain AUTH")), "BasicAuthRequireTLS: no AUTH before TLS");
    assertFalse(out.contains("tls STARTTLS"), "no second STARTTLS");
  }

  @Test
  void startTlsFailsVerificationWithoutTheTestCertificate() throws Exception {
    List<String> out = smtplib(TlsAndAuthIT.FRONTEND, "untrusted");
    assertTrue(out.stream().anyMatch(l -> l.startsWith("STARTTLS refused ")), String.join("\n", out));
  }

  @Test
  void heloFallbackSendsWithoutEsmtpParameters() throws Exception {
    List<String> out = smtplib(TlsAndAuthIT.FRONTEND, "helo");
    assertTrue(out.stream().anyMatch(l -> l.startsWith("HELO 250 ")), String.join("\n", out));
    has(out, "SEND sent");
    assertEquals(List.of("bob@contoso.test"), addresses(published("helo")));
  }

  @Test
  void authPlainThroughLogin() throws Exception {
    List<String> out = smtplib(TlsAndAuthIT.SUBMISSION, "login", cafile(), "PLAIN", "alice@contoso.test",
        TestOrganization.ALICE_PASSWORD, "alice@contoso.test", "auth plain");
    has(out, "AUTH 235 2.7.0 Authentication successful", "SEND sent");
    assertTrue(out.stream().anyMatch(l -> l.startsWith("send: 'AUTH PLAIN ")), "smtplib used PLAIN");
    assertEquals("alice@contoso.test", published("auth plain").getEnvelope().getAuthenticatedAs());
  }

  @Test
  void authLoginThroughLoginWithItsInitialResponse() throws Exception {
    List<String> out = smtplib(TlsAndAuthIT.SUBMISSION, "login", cafile(), "LOGIN", "bob@contoso.test",
        TestOrganization.BOB_PASSWORD, "bob@contoso.test", "auth login");
    has(out, "AUTH 235 2.7.0 Authentication successful", "SEND sent");
    // smtplib sends the user name with the command (AUTH LOGIN <base64 user>), then answers 334 Password:
    assertTrue(out.stream().anyMatch(l -> l.startsWith("send: 'AUTH LOGIN " + TlsAndAuthIT.b64("bob@contoso.test"))),
        String.join("\n", out));
    assertEquals("bob@contoso.test", published("auth login").getEnvelope().getAuthenticatedAs());
  }

  @Test
  void wrongPasswordIsRefusedWith535() throws Exception {
    List<String> out = smtplib(TlsAndAuthIT.SUBMISSION, "login", cafile(), "PLAIN", "alice@contoso.test", "guess",
        "alice@contoso.test", "never");
    has(out, "AUTH 535 5.7.3 Authentication unsuccessful");
  }

  @Test
  void sendingAsSomeoneElseIsRefusedAtMailFrom() throws Exception {
    List<String> out = smtplib(TlsAndAuthIT.SUBMISSION, "login", cafile(), "PLAIN", "alice@contoso.test",
        TestOrganization.ALICE_PASSWORD, "bob@contoso.test", "send as");
    has(out, "AUTH 235 2.7.0 Authentication successful",
        "SEND 550 5.7.60 SMTP; Client does not have permissions to send as this sender");
  }

  @Test
  void anonymousSubmissionIsRefusedAtMailFrom() throws Exception {
    has(smtplib(TlsAndAuthIT.SUBMISSION, "anonymous", cafile()),
        "SEND 530 5.7.57 SMTP; Client was not authenticated to send anonymous mail during MAIL FROM");
  }

  @Test
  void implicitTlsWithSmtpSsl() throws Exception {
    List<String> out = smtplib(TlsAndAuthIT.IMPLICIT, "implicit", cafile(), "bob@contoso.test",
        TestOrganization.BOB_PASSWORD);
    has(out, "tls AUTH PLAIN LOGIN", "AUTH 235 2.7.0 Authentication successful", "SEND sent");
    assertFalse(out.contains("tls STARTTLS"), String.join("\n", out));
    assertEquals("bob@contoso.test", published("implicit").getEnvelope().getAuthenticatedAs());
  }

  @Test
  void anonymousRelayIsDenied() throws Exception {
    has(smtplib(TlsAndAuthIT.FRONTEND, "relay"),
        "SEND someone@fabrikam.example 550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain");
  }

  @Test
  void recipientsOverTheLimitAreRefusedAndTheRestAccepted() throws Exception {
    List<String> out = smtplib(TlsAndAuthIT.FRONTEND, "recipients", "bob@contoso.test", "alice@contoso.test",
        "team@contoso.test", "postmaster@contoso.test");
    has(out, "SEND rejected postmaster@contoso.test 452 4.5.3 Too many recipients", "SEND sent");
    assertEquals(List.of("bob@contoso.test", "alice@contoso.test", "team@contoso.test"),
        addresses(published("recipients")));
  }

  @Test
  void declaredSizeOverTheLimitIsRefusedAtMailFrom() throws Exception {
    List<String> out = smtplib(TlsAndAuthIT.FRONTEND, "declared", "20000");
    assertTrue(out.stream().anyMatch(l -> l.matches("send: 'mail FROM:<carol@fabrikam.example> size=200\\d\\d\\\\r\\\\n'")),
        "smtplib declared the size itself\n" + String.join("\n", out));
    has(out, "SEND " + SIZE_REFUSED, "NOOP 250 2.0.0 OK");
  }

  @Test
  void undeclaredMessageOverTheLimitIsRefusedAtTheEndOfData() throws Exception {
    has(smtplib(TlsAndAuthIT.FRONTEND, "oversized", "20000"),
        "MAIL 250 2.1.0 Sender OK", "RCPT 250 2.1.5 Recipient OK", "DATA " + SIZE_REFUSED, "NOOP 250 2.0.0 OK");
    assertTrue(publisher.published.stream().noneMatch(m -> "oversized".equals(m.getEnvelope().getSubject())));
  }

  @Test
  void eightBitMimeBodyArrivesUnchanged() throws Exception {
    has(smtplib(TlsAndAuthIT.FRONTEND, "eightbit"), "SEND sent");
    SubmittedMessage m = published("eightbit");
    assertEquals(BodyType.EIGHT_BIT_MIME, m.getEnvelope().getBodyType());
    assertTrue(SmtpEdgeIT.body(m).contains("\r\n\r\nGrüße aus Köln – 8 bits\r\n"), SmtpEdgeIT.body(m));
  }

  @Test
  void smtpUtf8AddressesArePublishedAsSent() throws Exception {
    List<String> out = smtplib(TlsAndAuthIT.FRONTEND, "utf8");
    has(out, "SEND sent");
    assertTrue(out.stream().anyMatch(l -> l.startsWith("send: 'mail FROM:<zoë@fabrikam.example> ")
        && l.contains(" SMTPUTF8") && l.contains(" BODY=8BITMIME")), String.join("\n", out));
    SubmittedMessage m = published("Grüße");
    assertTrue(m.getEnvelope().getSmtpUtf8());
    assertEquals("zoë@fabrikam.example", m.getEnvelope().getSender());
    assertEquals(List.of("jöran@relay.test"), addresses(m));
    assertTrue(SmtpEdgeIT.body(m).contains("From: zoë@fabrikam.example\r\n"), SmtpEdgeIT.body(m));
  }

  @Test
  void dsnParametersReachThePublishedEnvelope() throws Exception {
    has(smtplib(TlsAndAuthIT.FRONTEND, "dsn"), "SEND sent");
    SubmittedMessage m = published("dsn");
    assertEquals(DsnRet.HDRS, m.getEnvelope().getDsnRet());
    assertEquals("QQ314159", m.getEnvelope().getEnvId());
    Recipient bob = m.getRecipients().get(0);
    assertEquals(List.of(DsnNotify.SUCCESS, DsnNotify.FAILURE), bob.getNotify());
    assertEquals("rfc822;bob@contoso.test", bob.getOrcpt());
  }

  @Test
  void bdatChunksSentByHandAreJoined() throws Exception {
    List<String> out = smtplib(TlsAndAuthIT.FRONTEND, "bdat");
    has(out, "MAIL 250 2.1.0 Sender OK", "RCPT 250 2.1.5 Recipient OK");
    assertTrue(out.stream().anyMatch(l -> l.matches("BDAT 250 2\\.6\\.0 CHUNK received OK, \\d+ octets")),
        String.join("\n", out));
    assertTrue(out.stream().anyMatch(l -> l.startsWith("BDAT 250 2.6.0 <") && l.endsWith("Queued mail for delivery")),
        String.join("\n", out));
    SubmittedMessage m = published("bdat");
    assertEquals(BodyType.BINARY_MIME, m.getEnvelope().getBodyType());
    assertTrue(SmtpEdgeIT.body(m).endsWith("\r\n\r\nfirst line\r\n.leading dot\r\nno dot-stuffing\r\n"),
        SmtpEdgeIT.body(m));
  }

  @Test
  void vrfyNoopRsetHelpAndQuit() throws Exception {
    has(smtplib(TlsAndAuthIT.FRONTEND, "commands"),
        "VRFY 252 2.1.5 Cannot VRFY user", "NOOP 250 2.0.0 OK", "MAIL 250 2.1.0 Sender OK",
        "RSET 250 2.0.0 Resetting", "RCPT 503 5.5.2 Need mail command",
        "HELP This server supports the following commands: | HELO EHLO STARTTLS RCPT DATA RSET MAIL QUIT HELP VRFY NOOP BDAT",
        "QUIT 221 2.0.0 Service closing transmission channel");
  }

  @Test
  void messageOverTheRateLimitEndsTheSession() throws Exception {
    List<String> out = smtplib(RATE_LIMITED, "rate", "3");
    has(out, "SEND0 sent",
        "SEND1 421 4.4.2 Message submission rate for this client has exceeded the configured limit", "CLOSED");
    assertFalse(out.stream().anyMatch(l -> l.startsWith("SEND2")));
    assertEquals(1, publisher.published.stream().filter(m -> "rate".equals(m.getEnvelope().getSubject())).count());
  }
}
