package io.mailflow.edge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.kafka.TopicReader;
import io.mailflow.kafka.Topics;
import io.mailflow.schemas.avro.ProtocolEvent;
import io.mailflow.schemas.avro.SubmittedMessage;
import io.mailflow.schemas.avro.TrackingEvent;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole walking skeleton: a real client (Angus Mail) sends through the edge, whose 250 means
 * the message is on mail.submission.v1 of a real (embedded) Kafka broker.
 */
class KafkaEdgeIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @RegisterExtension static final EdgeRig rig = EdgeRig.onKafka("edge-it");
  private static SmtpEdge edge;

  @BeforeAll
  static void start() throws Exception {
    edge = rig.start(TestOrganization.standard());
  }

  private static Session mailSession() {
    InetSocketAddress frontend = edge.listening(TestOrganization.FRONTEND).get(0);
    Properties props = new Properties();
    props.put("mail.smtp.host", frontend.getHostString());
    props.put("mail.smtp.port", String.valueOf(frontend.getPort()));
    props.put("mail.smtp.localhost", "client.fabrikam.example");
    props.put("mail.smtp.connectiontimeout", "10000");
    props.put("mail.smtp.timeout", "30000");
    return Session.getInstance(props);
  }

  @Test
  void messageFromAngusMailIsOnTheSubmissionTopicWithItsTrackingAndProtocolEvents() throws Exception {
    String subject = "Walking skeleton " + UUID.randomUUID();
    MimeMessage message = new MimeMessage(mailSession());
    message.setFrom(new InternetAddress("sender@fabrikam.example"));
    message.setRecipients(Message.RecipientType.TO, "alice@contoso.test, team@contoso.test");
    message.setSubject(subject, "UTF-8");
    message.setText("Hello from Angus Mail.\r\nGrüße\r\n", "UTF-8");
    Transport.send(message);
    String messageId = message.getMessageID();

    SubmittedMessage submitted = rig.submitted(m -> subject.equals(m.getEnvelope().getSubject()), WAIT);
    assertEquals("sender@fabrikam.example", submitted.getEnvelope().getSender());
    assertEquals(messageId, submitted.getEnvelope().getMessageIdHeader());
    assertEquals("client.fabrikam.example", submitted.getEnvelope().getClientHostname());
    assertEquals(List.of("alice@contoso.test", "team@contoso.test"),
        submitted.getRecipients().stream().map(r -> r.getAddress()).toList());
    String body = SmtpEdgeIT.body(submitted);
    assertTrue(body.startsWith("Received: from client.fabrikam.example (127.0.0.1 [127.0.0.1])\r\n by EX01"), body);
    assertTrue(body.contains("Hello from Angus Mail."), body);

    String networkMessageId = submitted.getEnvelope().getNetworkMessageId();
    try (TopicReader<TrackingEvent> reader = TopicReader.fromBeginning(rig.bootstrap(), Topics.TRACKING)) {
      TrackingEvent receive = reader.await(t -> t.getNetworkMessageId().equals(networkMessageId), 1, WAIT).get(0);
      assertEquals("RECEIVE", receive.getEventId());
      assertEquals("SMTP", receive.getSource());
      assertEquals(subject, receive.getMessageSubject());
      assertEquals(2, receive.getRecipientCount());
    }
    String sessionId = submitted.getEnvelope().getSessionId();
    try (TopicReader<ProtocolEvent> reader = TopicReader.fromBeginning(rig.bootstrap(), Topics.PROTOCOL)) {
      List<ProtocolEvent> lines = reader.await(p -> p.getSessionId().equals(sessionId) && p.getEvent().equals("-"),
          1, WAIT);
      assertEquals("Local", lines.get(0).getContext()); // Angus sends QUIT; the server closes after 221
    }
  }

  @Test
  void refusedRecipientsReachTheClientAsExchangeReplies() {
    MimeMessage message = new MimeMessage(mailSession());
    SendFailedException failure = assertThrows(SendFailedException.class, () -> {
      message.setFrom(new InternetAddress("sender@fabrikam.example"));
      message.setRecipients(Message.RecipientType.TO, "someone@elsewhere.example");
      message.setText("x");
      Transport.send(message);
    });
    MessagingException cause = (MessagingException) failure.getNextException();
    assertTrue(cause.getMessage().contains("550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain"),
        cause.getMessage());
  }
}
