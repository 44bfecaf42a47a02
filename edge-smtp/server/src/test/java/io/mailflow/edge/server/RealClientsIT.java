package io.mailflow.edge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.organization.Directory;
import io.mailflow.organization.Organization;
import io.vertx.core.Vertx;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.File;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Independent SMTP clients against STARTTLS + AUTH: Angus Mail in the JVM, and swaks and curl as
 * processes (skipped when not installed; ops/ci/install-test-peers.sh installs swaks in CI).
 */
class RealClientsIT {
  private static Vertx vertx;
  private static RecordingPublisher publisher;
  private static SmtpEdge edge;
  private static InetSocketAddress submission;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    publisher = new RecordingPublisher();
    Organization org = TlsAndAuthIT.organization();
    edge = SmtpEdgeIT.result(SmtpEdge.start(vertx, org, Directory.of(org), publisher, new RecordingEvents(),
        EdgeOptions.defaults().withDefaultCertificate(TestTls.certificate())));
    submission = edge.listening(TlsAndAuthIT.SUBMISSION).get(0);
  }

  @AfterAll
  static void stop() throws Exception {
    SmtpEdgeIT.result(edge.close());
    SmtpEdgeIT.result(vertx.close());
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
    Assumptions.assumeTrue(onPath("swaks"), "swaks not installed (ops/ci/install-test-peers.sh)");
    Result r = run(List.of("swaks", "--server", "127.0.0.1", "--port", Integer.toString(submission.getPort()),
        "--tls", "--auth", "PLAIN", "--auth-user", "bob@contoso.test", "--auth-password", TestOrganization.BOB_PASSWORD,
        "--from", "bob@contoso.test", "--to", "someone@fabrikam.example", "--header", "Subject: swaks",
        "--ehlo", "client.example", "--timeout", "20"));
    Assumptions.assumeFalse(r.output().contains("TLS not available"), "swaks without TLS support (Net::SSLeay)");
    assertEquals(0, r.exit(), r.output());
    assertTrue(r.output().contains("235 2.7.0 Authentication successful"), r.output());
    assertTrue(publisher.published.stream().anyMatch(m -> "swaks".equals(m.getEnvelope().getSubject())));
  }

  @Test
  void curlSendsWithSslReqdAndUser(@TempDir Path dir) throws Exception {
    Assumptions.assumeTrue(onPath("curl"), "curl not installed");
    Path mail = Files.writeString(dir.resolve("mail.txt"),
        "From: bob@contoso.test\r\nTo: alice@contoso.test\r\nSubject: curl\r\n\r\nsent by curl\r\n");
    Result r = run(List.of("curl", "-sS", "--ssl-reqd", "--cacert", TestTls.resource("tls/cert.pem").toString(),
        "--url", "smtp://127.0.0.1:" + submission.getPort() + "/client.example",
        "--user", "bob@contoso.test:" + TestOrganization.BOB_PASSWORD,
        "--mail-from", "bob@contoso.test", "--mail-rcpt", "alice@contoso.test", "--upload-file", mail.toString(),
        "--max-time", "20"));
    assertEquals(0, r.exit(), r.output());
    assertTrue(publisher.published.stream().anyMatch(m -> "curl".equals(m.getEnvelope().getSubject())));
  }

  @Test
  void curlWithAWrongPasswordFailsWithLoginDenied(@TempDir Path dir) throws Exception {
    Assumptions.assumeTrue(onPath("curl"), "curl not installed");
    Path mail = Files.writeString(dir.resolve("mail.txt"), "Subject: x\r\n\r\nx\r\n");
    Result r = run(List.of("curl", "-sS", "--ssl-reqd", "--cacert", TestTls.resource("tls/cert.pem").toString(),
        "--url", "smtp://127.0.0.1:" + submission.getPort(), "--user", "bob@contoso.test:wrong",
        "--mail-from", "bob@contoso.test", "--mail-rcpt", "alice@contoso.test", "--upload-file", mail.toString(),
        "--max-time", "20"));
    assertEquals(67, r.exit(), "curl's CURLE_LOGIN_DENIED\n" + r.output());
  }

  private record Result(int exit, String output) {}

  private static Result run(List<String> command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getOutputStream().close();
    byte[] out = process.getInputStream().readAllBytes();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(command.get(0) + " did not finish within 60 s");
    }
    return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  private static boolean onPath(String program) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, program))) {
        return true;
      }
    }
    return false;
  }
}
