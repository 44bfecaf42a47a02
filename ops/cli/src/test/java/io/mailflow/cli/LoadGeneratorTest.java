package io.mailflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class LoadGeneratorTest {
  @Test
  void aSingleRecipientIsAListOfOne() {
    assertEquals(List.of("bench@sink.test"), LoadGenerator.recipients("bench@sink.test"));
  }

  @Test
  void aCommaSeparatedRecipientListKeepsItsOrderAndDropsSpaces() {
    assertEquals(List.of("a@d1.test", "b@d2.test", "c@d3.test"), LoadGenerator.recipients("a@d1.test, b@d2.test ,c@d3.test"));
  }

  @Test
  void anEmptyEntryInTheRecipientListIsRefusedByName() {
    CliFailure e = assertThrows(CliFailure.class, () -> LoadGenerator.recipients("a@d1.test,,b@d2.test"));
    assertTrue(e.getMessage().contains("--rcpt"), e.getMessage());
    assertThrows(CliFailure.class, () -> LoadGenerator.recipients("a@d1.test,"));
  }

  @Test
  void messagesGoToTheRecipientsRoundRobin() {
    int[] seen = new int[3];
    for (long n = 0; n < 9; n++) {
      seen[LoadGenerator.recipientIndex(n, 3)]++;
    }
    assertEquals(List.of(0, 1, 2, 0), List.of(LoadGenerator.recipientIndex(0, 3), LoadGenerator.recipientIndex(1, 3),
        LoadGenerator.recipientIndex(2, 3), LoadGenerator.recipientIndex(3, 3)));
    assertEquals(List.of(3, 3, 3), List.of(seen[0], seen[1], seen[2]));
  }
}
