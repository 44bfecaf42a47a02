package io.mailflow.edge.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * SMTP smuggling (CVE-2023-51764/51765/51766): an end-of-data other than CRLF.CRLF must never end
 * DATA, so a second message hidden after it is never parsed as commands. Messages that contain such
 * sequences, or any bare CR or LF, are refused whole with 550 5.6.11 once the real end arrives.
 */
class SmugglingTest {

  private static final String SMUGGLED =
      "MAIL FROM:<admin@contoso.com>\r\nRCPT TO:<victim@contoso.com>\r\nDATA\r\nSpoofed\r\n";

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"\n.\n", "\r.\r", "\n.\r\n", "\r\n.\n", "\r.\r\n", "\r\n.\r", "\n.\r", "\r\n.\r\r\n"})
  void nonStandardEndOfDataDoesNotEndDataNorStartAnotherMessage(String fakeEnd) {
    SessionProbe probe = SessionProbe.inTransaction()
        .send("DATA\r\nSubject: real\r\n\r\nBody" + fakeEnd + SMUGGLED);
    assertEquals(List.of(354), probe.codes(), "the fake end must not end DATA");
    assertTrue(probe.commands.stream().noneMatch(c -> c.startsWith("MAIL")), "smuggled MAIL was parsed");

    probe.send("\r\n.\r\n");
    assertEquals(List.of(354, 550), probe.codes());
    assertEquals(Replies.BARE_NEWLINE_IN_DATA, probe.last());
    assertTrue(probe.messages.isEmpty(), "nothing may be queued");
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"\n.\n", "\r.\r", "\n.\r\n", "\r\n.\n"})
  void nonStandardEndOfDataFedByteAtATimeStillNeverEnds(String fakeEnd) {
    SessionProbe probe = SessionProbe.inTransaction()
        .sendByteAtATime("DATA\r\nBody" + fakeEnd + SMUGGLED);
    assertEquals(List.of(354), probe.codes());
    probe.sendByteAtATime("\r\n.\r\n");
    assertEquals(550, probe.last().code());
  }

  @Test
  void bareLineFeedInsideDataRefusesMessage() {
    SessionProbe probe = SessionProbe.inTransaction().send("DATA\r\nline one\nline two\r\n.\r\n");
    assertEquals("550 5.6.11 Message contains bare CR or LF, which cannot be sent via DATA; "
        + "use CRLF line endings or BDAT", probe.lastText());
    assertTrue(probe.messages.isEmpty());
  }

  @Test
  void bareCarriageReturnInsideDataRefusesMessage() {
    SessionProbe probe = SessionProbe.inTransaction().send("DATA\r\nline one\rline two\r\n.\r\n");
    assertEquals(550, probe.last().code());
    assertTrue(probe.messages.isEmpty());
  }

  @Test
  void sessionGoesOnAfterRefusedMessage() {
    SessionProbe probe = SessionProbe.inTransaction().send("DATA\r\nbad\n\r\n.\r\n")
        .send("MAIL FROM:<a@b.example>\r\nRCPT TO:<c@contoso.com>\r\nDATA\r\ngood\r\n.\r\n");
    assertEquals(List.of(354, 550, 250, 250, 354, 250), probe.codes());
    assertEquals("good\r\n", probe.messageText(0));
    assertFalse(probe.closed);
  }

  @Test
  void bdatCarriesBareLineFeedsSafely() {
    SessionProbe probe = SessionProbe.inTransaction().send("BDAT 14 LAST\r\na\n.\nMAIL FROM:");
    assertEquals(250, probe.last().code());
    assertEquals("a\n.\nMAIL FROM:", probe.messageText(0));
  }
}
