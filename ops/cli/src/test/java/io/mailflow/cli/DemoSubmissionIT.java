package io.mailflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.organization.Organization;
import io.mailflow.organization.OrganizationLoader;
import io.mailflow.organization.ReceiveConnector;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built-in demo as `mailflow run` serves it, on ephemeral ports: its Client Frontend takes Angus
 * Mail's STARTTLS + AUTH with a password made at first start, trusting only the certificate made at
 * first start, and the message reaches the recipient's Maildir.
 */
class DemoSubmissionIT {
  @TempDir static Path work;
  private static Path dataDir;
  private static RunCommand.Running running;
  private static DemoCredentials.Applied demo;
  private static int submissionPort;

  @BeforeAll
  static void start() throws Exception {
    dataDir = work.resolve("data");
    demo = DemoCredentials.apply(OrganizationLoader.demo(), dataDir);
    StringWriter printed = new StringWriter();
    running = RunCommand.Running.start(onEphemeralPorts(demo.organization()), dataDir, 0, new PrintWriter(printed, true));
    Matcher m = Pattern.compile("Client Frontend EX01 listening on 127\\.0\\.0\\.1:(\\d+)").matcher(printed.toString());
    assertTrue(m.find(), printed.toString());
    submissionPort = Integer.parseInt(m.group(1));
    assertTrue(printed.toString().contains("tls           self-signed certificate for ex01.contoso.test made in"),
        printed.toString());
  }

  @AfterAll
  static void stop() {
    if (running != null) {
      running.close();
    }
  }

  /** The demo's connectors with port 0 (the file's 2525/2587 may be taken on a build machine). */
  static Organization onEphemeralPorts(Organization org) {
    List<ReceiveConnector> connectors = org.receiveConnectors().stream().map(c -> new ReceiveConnector(c.name(),
        List.of(new ReceiveConnector.Binding("127.0.0.1", 0)), c.remoteIpRanges(), c.permissionGroups(),
        c.authMechanisms(), c.fqdn(), c.banner(), c.maxMessageSize(), c.maxRecipientsPerMessage(),
        c.maxInboundConnection(), c.maxInboundConnectionPerSource(), c.maxHeaderSize(), c.maxProtocolErrors(),
        c.connectionTimeoutSeconds(), c.connectionInactivityTimeoutSeconds(), c.protocolLoggingLevel(),
        c.certificate(), c.implicitTls(), c.maxLogonFailures(), c.tarpitInterval(), c.permissions(),
        c.messageRateLimit(), c.messageRateSource(), c.trustedCertificates(), c.requireTls())).toList();
    return new Organization(org.serverName(), org.siteName(), org.kafka(), org.acceptedDomains(), connectors,
        org.sendConnectors(), org.sites(), org.siteLinks(), org.servers(), org.databases(), org.mailboxes(),
        org.groups(), org.contacts(), org.mailUsers(), org.transportConfig());
  }

  /** Trusts exactly the certificate `mailflow run` made in the data dir. */
  private static Session session() throws Exception {
    Properties p = new Properties();
    p.put("mail.smtp.host", "127.0.0.1");
    p.put("mail.smtp.port", Integer.toString(submissionPort));
    p.put("mail.smtp.localhost", "client.example");
    p.put("mail.smtp.auth", "true");
    p.put("mail.smtp.starttls.enable", "true");
    p.put("mail.smtp.starttls.required", "true");
    p.put("mail.smtp.ssl.checkserveridentity", "true"); // the certificate names 127.0.0.1
    p.put("mail.smtp.ssl.socketFactory", TrustedCertificate.only(dataDir.resolve("tls").resolve(SelfSignedCertificate.CERTIFICATE_FILE))
        .getSocketFactory());
    p.put("mail.smtp.timeout", "30000");
    return Session.getInstance(p);
  }

  private static MimeMessage message(Session session, String subject) throws Exception {
    MimeMessage message = new MimeMessage(session);
    message.setFrom(new InternetAddress("alice@contoso.test"));
    message.setRecipient(Message.RecipientType.TO, new InternetAddress("bob@contoso.test"));
    message.setSubject(subject);
    message.setText("Sent through the demo's Client Frontend with STARTTLS and AUTH.\n");
    return message;
  }

  @Test
  void authenticatedSubmissionWithTheFirstStartPasswordReachesTheRecipient() throws Exception {
    String subject = "demo submission " + UUID.randomUUID();
    Transport.send(message(session(), subject), "alice@contoso.test", demo.made().get("alice@contoso.test"));
    assertEquals(1, MailflowRunIT.awaitMessages(dataDir, "bob@contoso.test", subject, 1).size());
  }

  @Test
  void aWrongPasswordIsRefused() throws Exception {
    Session session = session();
    assertThrows(AuthenticationFailedException.class,
        () -> Transport.send(message(session, "nope"), "alice@contoso.test", "not-the-password"));
  }
}
