package io.mailflow.edge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.schemas.avro.Recipient;
import io.mailflow.schemas.avro.SubmittedMessage;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Independent SMTP clients against STARTTLS + AUTH: Angus Mail in the JVM, and swaks and curl as
 * processes (ClientProcess: skipped when not installed on a developer's machine, failed on CI, where
 * ops/ci/install-test-peers.sh installs them). Python's smtplib: PythonSmtplibIT.
 */
class RealClientsIT {
  @RegisterExtension static final EdgeRig rig = EdgeRig.inMemory();
  private static RecordingPublisher publisher;
  private static SmtpEdge edge;
  private static InetSocketAddress submission;

  @BeforeAll
  static void start() throws Exception {
    publisher = new RecordingPublisher();
    edge = rig.start(TlsAndAuthIT.organization(), publisher, new RecordingEvents(),
        EdgeOptions.defaults().withDefaultCertificate(TestTls.certificate()));
    submission = edge.listening(TlsAndAuthIT.SUBMISSION).get(0);
  }

  private static Session angus(boolean trustTestCertificate) {
    Properties p = new Properties();
    p.put("mail.smtp.host", "127.0.0.1");
    p.put("mail.smtp.port", Integer.toString(submission.getPort()));
    p.put("mail.smtp.auth", "true");
    p.put("mail.smtp.starttls.enable", "true");
    p.put("mail.smtp.starttls.required", "true");
    p.put("mail.smtp.ssl.checkserveridentity", "true"); // the certificate names 127.0.0.1
    if (trustTestCertificate) {
      p.put("mail.smtp.ssl.socketFactory", TestTls.clientContext().getSocketFactory());
    }
    p.put("mail.smtp.connectiontimeout", "10000");
    p.put("mail.smtp.timeout", "10000");
    return Session.getInstance(p);
  }

  private static MimeMessage message(Session session, String subject) throws MessagingException {
    MimeMessage m = new MimeMessage(session);
    m.setFrom(new InternetAddress("alice@contoso.test"));
    m.setRecipient(Message.RecipientType.TO, new InternetAddress("someone@fabrikam.example"));
    m.setSubject(subject);
    m.setText("sent with STARTTLS and AUTH");
    return m;
  }

  @Test
  void angusMailSendsWithStartTlsAndAuth() throws Exception {
    Session session = angus(true);
    Transport.send(message(session, "angus"), "alice@contoso.test", TestOrganization.ALICE_PASSWORD);
    assertTrue(publisher.published.stream().anyMatch(m -> "angus".equals(m.getEnvelope().getSubject())
        && m.getEnvelope().getSender().equals("alice@contoso.test")));
  }

  @Test
  void angusMailWithAWrongPasswordIsRefused() {
    Session session = angus(true);
    assertThrows(AuthenticationFailedException.class,
        () -> Transport.send(message(session, "wrong"), "alice@contoso.test", "not her password"));
  }

  @Test
  void angusMailRefusesAnUntrustedCertificate() {
    Session session = angus(false); // the JDK's trust store does not know the test certificate
    MessagingException e = assertThrows(MessagingException.class,
        () -> Transport.send(message(session, "untrusted"), "alice@contoso.test", TestOrganization.ALICE_PASSWORD));
    assertTrue(String.valueOf(e.getMessage()).contains("STARTTLS") || e.getCause() != null, e.toString());
  }

  @Test
  void swaksSendsWithTlsAndAuth() throws Exception {
    ClientProcess.require("swaks");
    ClientProcess.Result r = ClientProcess.run(List.of("swaks", "--server", "127.0.0.1", "--port", Integer.toString(submission.getPort()),
        "--tls", "--auth", "PLAIN", "--auth-user", "bob@contoso.test", "--auth-password", TestOrganization.BOB_PASSWORD,
        "--from", "bob@contoso.test", "--to", "someone@fabrikam.example", "--header", "Subject: swaks",
        "--ehlo", "client.example", "--timeout", "20"));
    ClientProcess.requireThat(!r.output().contains("TLS not available"),
        "swaks without TLS support (libnet-ssleay-perl, ops/ci/install-test-peers.sh)");
    assertEquals(0, r.exit(), r.output());
    assertTrue(r.output().contains("235 2.7.0 Authentication successful"), r.output());
    assertTrue(publisher.published.stream().anyMatch(m -> "swaks".equals(m.getEnvelope().getSubject())));
  }

  @Test
  void swaksPipelinesMailRcptAndData() throws Exception {
    ClientProcess.require("swaks");
    ClientProcess.Result r = ClientProcess.run(List.of("swaks", "--server", "127.0.0.1",
        "--port", Integer.toString(edge.listening(TlsAndAuthIT.FRONTEND).get(0).getPort()), "--pipeline",
        "--from", "carol@fabrikam.example", "--to", "bob@contoso.test,alice@contoso.test",
        "--header", "Subject: swaks pipelined", "--ehlo", "client.example", "--timeout", "20"));
    assertEquals(0, r.exit(), r.output());
    // one write: MAIL, both RCPTs and DATA before any of their replies (RFC 2920)
    assertTrue(r.output().contains(" -> MAIL FROM:<carol@fabrikam.example>\n -> RCPT TO:<bob@contoso.test>\n"
        + " -> RCPT TO:<alice@contoso.test>\n -> DATA\n<-  250 2.1.0 Sender OK\n"), r.output());
    assertEquals(List.of("bob@contoso.test", "alice@contoso.test"),
        published("swaks pipelined").getRecipients().stream().map(Recipient::getAddress).toList());
  }

  /** curl uploading a message with {@code subject} from {@code from}; -v, so its output holds the dialogue. */
  private static ClientProcess.Result curl(Path dir, String url, String from, String subject, String... options)
      throws Exception {
    ClientProcess.require("curl");
    Path mail = Files.write(dir.resolve("mail.txt"), ("From: " + from + "\r\nTo: alice@contoso.test\r\nSubject: "
        + subject + "\r\n\r\nsent by curl\r\n").getBytes(StandardCharsets.UTF_8));
    List<String> command = new ArrayList<>(List.of("curl", "-sS", "-v", "--max-time", "20", "--cacert",
        TestTls.resource("tls/cert.pem").toString(), "--url", url, "--upload-file", mail.toString()));
    command.addAll(List.of(options));
    return ClientProcess.run(command);
  }

  private static String url(String scheme, String connector) {
    return scheme + "://127.0.0.1:" + edge.listening(connector).get(0).getPort() + "/client.example";
  }

  private static SubmittedMessage published(String subject) {
    return publisher.published.stream().filter(m -> subject.equals(m.getEnvelope().getSubject())).findFirst()
        .orElseThrow(() -> new AssertionError("nothing published with Subject " + subject));
  }

  @Test
  void curlSendsWithSslReqdAndUser(@TempDir Path dir) throws Exception {
    ClientProcess.Result r = curl(dir, url("smtp", TlsAndAuthIT.SUBMISSION), "bob@contoso.test", "curl",
        "--ssl-reqd", "--user", "bob@contoso.test:" + TestOrganization.BOB_PASSWORD,
        "--mail-from", "bob@contoso.test", "--mail-rcpt", "alice@contoso.test");
    assertEquals(0, r.exit(), r.output());
    assertEquals("bob@contoso.test", published("curl").getEnvelope().getAuthenticatedAs());
  }

  @Test
  void curlWithAWrongPasswordFailsWithLoginDenied(@TempDir Path dir) throws Exception {
    ClientProcess.Result r = curl(dir, url("smtp", TlsAndAuthIT.SUBMISSION), "bob@contoso.test", "x",
        "--ssl-reqd", "--user", "bob@contoso.test:wrong",
        "--mail-from", "bob@contoso.test", "--mail-rcpt", "alice@contoso.test");
    assertEquals(67, r.exit(), "curl's CURLE_LOGIN_DENIED\n" + r.output());
    assertTrue(r.output().contains("< 535 5.7.3 Authentication unsuccessful"), r.output());
  }

  @Test
  void curlSendsOverImplicitTls(@TempDir Path dir) throws Exception {
    ClientProcess.Result r = curl(dir, url("smtps", TlsAndAuthIT.IMPLICIT), "bob@contoso.test", "curl smtps",
        "--user", "bob@contoso.test:" + TestOrganization.BOB_PASSWORD,
        "--mail-from", "bob@contoso.test", "--mail-rcpt", "someone@fabrikam.example");
    assertEquals(0, r.exit(), r.output());
    assertTrue(r.output().contains("< 235 2.7.0 Authentication successful"), r.output());
    assertEquals("bob@contoso.test", published("curl smtps").getEnvelope().getAuthenticatedAs());
  }

  /** Each mechanism with and without the SASL initial response (RFC 4954: AUTH PLAIN <response>). */
  @ParameterizedTest(name = "AUTH={0} --sasl-ir {1}")
  @CsvSource({"PLAIN,false", "PLAIN,true", "LOGIN,false", "LOGIN,true"})
  void curlAuthenticatesWithTheMechanismAskedFor(String mechanism, boolean initialResponse, @TempDir Path dir)
      throws Exception {
    String subject = "curl " + mechanism + " " + initialResponse;
    List<String> options = new ArrayList<>(List.of("--ssl-reqd", "--login-options", "AUTH=" + mechanism,
        "--user", "alice@contoso.test:" + TestOrganization.ALICE_PASSWORD,
        "--mail-from", "alice@contoso.test", "--mail-rcpt", "bob@contoso.test"));
    if (initialResponse) {
      options.add("--sasl-ir");
    }
    ClientProcess.Result r = curl(dir, url("smtp", TlsAndAuthIT.SUBMISSION), "alice@contoso.test", subject,
        options.toArray(String[]::new));
    assertEquals(0, r.exit(), r.output());
    String auth = r.lines().stream().filter(l -> l.startsWith("> AUTH ")).findFirst().orElseThrow().substring(2).trim();
    assertEquals(initialResponse ? 3 : 2, auth.split(" ").length, auth + ": initial response " + initialResponse);
    assertTrue(auth.startsWith("AUTH " + mechanism), auth);
    if (mechanism.equals("LOGIN")) {
      assertTrue(r.output().contains("< 334 UGFzc3dvcmQ6"), "LOGIN asked Password:\n" + r.output());
    }
    assertTrue(r.output().contains("< 235 2.7.0 Authentication successful"), r.output());
    assertEquals("alice@contoso.test", published(subject).getEnvelope().getAuthenticatedAs());
  }

  @Test
  void curlGoesOnWithoutTheRecipientsTheEdgeRefusesWhenAllowedTo(@TempDir Path dir) throws Exception {
    ClientProcess.Result r = curl(dir, url("smtp", TlsAndAuthIT.FRONTEND), "carol@fabrikam.example", "curl some",
        "--mail-from", "carol@fabrikam.example", "--mail-rcpt", "bob@contoso.test",
        "--mail-rcpt", "someone@fabrikam.example", "--mail-rcpt", "nobody@contoso.test",
        "--mail-rcpt", "alice@contoso.test", "--mail-rcpt-allowfails");
    assertEquals(0, r.exit(), r.output());
    assertTrue(r.output().contains("< 550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain"), r.output());
    assertTrue(r.output().contains(
        "< 550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup"), r.output());
    assertEquals(List.of("bob@contoso.test", "alice@contoso.test"),
        published("curl some").getRecipients().stream().map(Recipient::getAddress).toList());
  }

  @Test
  void curlSendsSmtpUtf8ForAUtf8Address(@TempDir Path dir) throws Exception {
    // from a config file: under a C locale the JVM could not pass the addresses in argv
    Path config = Files.write(dir.resolve("curl.conf"),
        "mail-from = \"zoë@fabrikam.example\"\nmail-rcpt = \"jöran@relay.test\"\n".getBytes(StandardCharsets.UTF_8));
    ClientProcess.Result r = curl(dir, url("smtp", TlsAndAuthIT.FRONTEND), "zoe@fabrikam.example", "curl utf8",
        "--config", config.toString());
    assertEquals(0, r.exit(), r.output());
    assertTrue(r.lines().stream().anyMatch(l -> l.startsWith("> MAIL FROM:<zoë@fabrikam.example>")
        && l.contains(" SMTPUTF8")), r.output());
    SubmittedMessage m = published("curl utf8");
    assertTrue(m.getEnvelope().getSmtpUtf8());
    assertEquals("zoë@fabrikam.example", m.getEnvelope().getSender());
    assertEquals("jöran@relay.test", m.getRecipients().get(0).getAddress());
  }
}
