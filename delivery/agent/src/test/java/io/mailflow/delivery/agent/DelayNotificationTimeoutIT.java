package io.mailflow.delivery.agent;

import static io.mailflow.delivery.agent.ReportedItems.body;
import static io.mailflow.delivery.agent.ReportedItems.external;
import static io.mailflow.delivery.agent.ReportedItems.item;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.delivery.agent.smtp.ScriptedSmtpServer;
import io.mailflow.delivery.core.RetrySchedule;
import io.mailflow.dsn.PythonDsn;
import io.mailflow.dsn.SisimaiDsn;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.DeliveryType;
import io.mailflow.schemas.avro.DsnNotify;
import io.mailflow.schemas.avro.ResolvedRecipient;
import io.mailflow.schemas.avro.SubmittedMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11's reports on the embedded broker with a refusing smart host: DelayNotificationTimeout (10 s here)
 * honoured whatever the retry schedule (every retry interval 10 minutes), and the NDR naming the command the
 * remote refused, read back by Python's email package and by Sisimai.
 */
class DelayNotificationTimeoutIT {

  private static final Duration DELAY_NOTIFICATION = Duration.ofSeconds(10);
  private static final Duration RETRY = Duration.ofMinutes(10);
  private static final Duration WAIT = Duration.ofSeconds(90);

  @TempDir static Path dataDir;
  private static DeliveryRig rig;

  @BeforeAll
  static void start() throws Exception {
    rig = new DeliveryRig("delay-notification-it");
    FastRetries.emptyDelayTopics(rig.bootstrap); // this class times the delay path
    ScriptedSmtpServer smartHost = rig.smartHost(new ScriptedSmtpServer.Script()
        .rcpt("slow@fabrikam.test", "451 4.7.1 Try again later")
        .rcpt("nobody@fabrikam.test", "550 5.1.1 <nobody@fabrikam.test>: Recipient address rejected: User unknown"));
    rig.start(DeliveryRig.organization(DeliveryRig.connector("Outbound", "fabrikam.test", smartHost)),
        dataDir.resolve("mailstore"), FastRetries.options().withRetrySchedule(
            new RetrySchedule(4, RETRY, 6, RETRY, RETRY, RETRY, DELAY_NOTIFICATION, Duration.ofDays(2))));
  }

  @AfterAll
  static void stop() throws Exception {
    if (rig != null) {
      FastRetries.emptyDelayTopics(rig.bootstrap); // the copy waits 10 minutes: later classes must not queue behind it
      rig.close();
    }
  }

  private static boolean about(SubmittedMessage m, String nmid, String subjectPrefix) {
    return m.getEnvelope().getSubject().startsWith(subjectPrefix)
        && body(m).contains("In-Reply-To: <" + nmid + "@contoso.test>");
  }

  private static ResolvedRecipient notifying(String address, DsnNotify... notify) {
    return ResolvedRecipient.newBuilder(external(address, null)).setNotify(List.of(notify)).build();
  }

  @Test
  void theDelayDsnComesWhenTheTimeoutPassesNotAtTheNextRetry() throws Exception {
    String nmid = UUID.randomUUID().toString();
    Instant received = Instant.now();
    rig.publish(item(nmid, "alice@contoso.test", DeliveryType.SmartHostConnectorDelivery, "Outbound", received,
        notifying("slow@fabrikam.test", DsnNotify.DELAY, DsnNotify.FAILURE)));

    SubmittedMessage delay = rig.submissions.await(m -> about(m, nmid, "Delivery delayed:"), 1, WAIT).get(0);
    Duration after = Duration.between(received, Instant.now());
    System.out.println("DelayNotificationTimeoutIT: delay DSN " + after.toMillis() + " ms after receipt (timeout "
        + DELAY_NOTIFICATION.toSeconds() + " s, retry interval " + RETRY.toMinutes() + " min)");
    assertTrue(after.compareTo(DELAY_NOTIFICATION) >= 0, "not before DelayNotificationTimeout: " + after);
    assertTrue(after.compareTo(DELAY_NOTIFICATION.plusMinutes(1)) <= 0, "within a minute of it: " + after);

    String text = body(delay);
    assertTrue(text.contains("Delivery is delayed to these recipients or groups:\r\n\r\nslow@fabrikam.test\r\n"), text);
    assertTrue(text.replaceAll("\\s+", " ").contains("The server will keep trying to deliver this message for the next 1"
        + " days, 23 hours and 59 minutes. You'll be notified if the message can't be delivered by that time."), text);
    assertTrue(text.contains("Remote Server at 127.0.0.1 returned '451 4.7.1 Try again later'\r\n"
        + "(in reply to RCPT TO command)\r\n"), text);
    List<String> parsed = PythonDsn.parse(text.getBytes(UTF_8), dataDir);
    assertEquals(List.of("recipient rfc822; slow@fabrikam.test | None | delayed | 4.7.1 | dns; 127.0.0.1 | "
        + "smtp; 451 4.7.1 Try again later"), PythonDsn.recipients(parsed));
  }

  @Test
  void theNdrNamesTheCommandTheRemoteRefused() throws Exception {
    String nmid = UUID.randomUUID().toString();
    rig.publish(item(nmid, "alice@contoso.test", DeliveryType.SmartHostConnectorDelivery, "Outbound", Instant.now(),
        external("nobody@fabrikam.test", null)));
    SubmittedMessage ndr = rig.submissions.await(m -> about(m, nmid, "Undeliverable:"), 1, WAIT).get(0);
    String text = body(ndr);
    assertTrue(text.contains("(in reply to RCPT TO command)\r\n"), text);
    assertEquals(List.of("nobody@fabrikam.test | userunknown | 5.1.1 | 550 |  | RFC3464"),
        SisimaiDsn.parse(text.getBytes(UTF_8), dataDir));
  }
}
