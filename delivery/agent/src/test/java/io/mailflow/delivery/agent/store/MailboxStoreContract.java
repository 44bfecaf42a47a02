package io.mailflow.delivery.agent.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.delivery.agent.body.MessageSource;
import io.mailflow.delivery.core.DeliveryOutcome;
import io.mailflow.delivery.core.DeliveryOutcome.Delivered;
import io.mailflow.delivery.core.DeliveryOutcome.Transient;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What every {@link MailboxStore} does, run against each store (as Apache James' MailQueueContract):
 * per-recipient outcomes in order, de-duplication on (network message id, recipient), and a store that
 * is down making its recipients transient. An implementation supplies the store, a broken one, its
 * mailboxes and a way to count what a mailbox holds.
 */
public interface MailboxStoreContract {

  /** The store under test, up. */
  MailboxStore store();

  /** The same kind of store, down: a root it cannot write, or nothing listening. */
  MailboxStore storeThatIsDown();

  /** Two mailboxes the store takes mail for. */
  List<String> mailboxes();

  /** A recipient the store does not take (an unknown user; for Maildir an address it cannot file). */
  String refusedRecipient();

  /** What the store answers for {@link #refusedRecipient()}: {@code Permanent} or {@code Transient}. */
  Class<? extends DeliveryOutcome> refusal();

  /** How many messages {@code mailbox} holds now. */
  int messagesIn(String mailbox) throws Exception;

  default String database() {
    return "DB01";
  }

  private MailboxCopy copy(String networkMessageId, String... recipients) {
    byte[] message = ("From: alice@fabrikam.test\r\nSubject: contract " + networkMessageId + "\r\nMessage-ID: <"
        + networkMessageId + "@fabrikam.test>\r\n\r\nHello.\r\n").getBytes(UTF_8);
    return new MailboxCopy(database(), networkMessageId, "alice@fabrikam.test", List.of(recipients),
        MessageSource.of(message));
  }

  private static List<DeliveryOutcome> deliver(MailboxStore store, MailboxCopy copy) throws Exception {
    List<DeliveryOutcome> outcomes = store.deliver(copy).toCompletionStage().toCompletableFuture()
        .get(60, TimeUnit.SECONDS);
    assertEquals(copy.recipients(), outcomes.stream().map(DeliveryOutcome::recipient).toList(),
        "one outcome per recipient, in order");
    return outcomes;
  }

  @Test
  default void eachRecipientOfOneCopyGetsItsOwnOutcome() throws Exception {
    String a = mailboxes().get(0);
    String b = mailboxes().get(1);
    int beforeA = messagesIn(a);
    int beforeB = messagesIn(b);

    List<DeliveryOutcome> outcomes = deliver(store(), copy(UUID.randomUUID().toString(), a, refusedRecipient(), b));

    assertInstanceOf(Delivered.class, outcomes.get(0), outcomes.toString());
    assertInstanceOf(refusal(), outcomes.get(1), outcomes.toString());
    assertInstanceOf(Delivered.class, outcomes.get(2), outcomes.toString());
    assertEquals(beforeA + 1, messagesIn(a), a);
    assertEquals(beforeB + 1, messagesIn(b), b);
  }

  @Test
  default void theSameCopyDeliveredAgainIsAbsorbedAndTheUserSeesOneMessage() throws Exception {
    String a = mailboxes().get(0);
    int before = messagesIn(a);
    MailboxCopy copy = copy(UUID.randomUUID().toString(), a);

    assertInstanceOf(Delivered.class, deliver(store(), copy).get(0));
    DeliveryOutcome again = deliver(store(), copy).get(0);

    assertInstanceOf(Delivered.class, again);
    assertTrue(again.recipientStatus().startsWith("250 2.0.0 Duplicate delivery absorbed; first delivered as "),
        again.recipientStatus());
    assertEquals(before + 1, messagesIn(a), "got a second message for the same (network message id, recipient)");

    deliver(store(), copy(UUID.randomUUID().toString(), a)); // another message: the key is per message
    assertEquals(before + 2, messagesIn(a), "another network message id is another message");
  }

  @Test
  default void aRecipientNotDeliveredIsNotMarkedAndIsTriedAgain() throws Exception {
    String b = mailboxes().get(1);
    int before = messagesIn(b);
    MailboxCopy copy = copy(UUID.randomUUID().toString(), refusedRecipient(), b);

    deliver(store(), copy);
    List<DeliveryOutcome> again = deliver(store(), copy);

    assertInstanceOf(refusal(), again.get(0), "the refused recipient is tried again, not absorbed: " + again);
    assertTrue(again.get(1).recipientStatus().contains("Duplicate delivery absorbed"), again.toString());
    assertEquals(before + 1, messagesIn(b));
  }

  @Test
  default void aStoreThatIsDownMakesEveryRecipientTransient() throws Exception {
    String a = mailboxes().get(0);
    String b = mailboxes().get(1);
    int before = messagesIn(a);

    List<DeliveryOutcome> outcomes = deliver(storeThatIsDown(), copy(UUID.randomUUID().toString(), a, b));

    assertInstanceOf(Transient.class, outcomes.get(0), outcomes.toString());
    assertInstanceOf(Transient.class, outcomes.get(1), outcomes.toString());
    assertEquals(before, messagesIn(a), "nothing stored");
  }
}
