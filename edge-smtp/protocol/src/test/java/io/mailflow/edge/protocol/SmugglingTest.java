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
 * DATA, so a second message hidden after it is never parsed as commands. A message with a bare CR is
 * refused whole with 550 5.6.11 once the real end arrives; bare LFs are normalised to CRLF (Postfix's
 * default) and the would-be second message stays content of the first.
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
    if (hasBareCarriageReturn(fakeEnd)) {
      assertEquals(List.of(354, 550), probe.codes());
      assertEquals(Replies.BARE_NEWLINE_IN_DATA, probe.last());
      assertTrue(probe.messages.isEmpty(), "nothing may be queued");
    } else {
      assertEquals(List.of(354, 250), probe.codes());
      assertEquals(1, probe.messages.size(), "one message, not two");
      assertTrue(probe.messageText(0).contains("\r\nMAIL FROM:<admin@contoso.com>\r\n"),
          "the smuggled commands are content: " + probe.messageText(0));
    }
  }

  private static boolean hasBareCarriageReturn(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == '\r' && (i + 1 == s.length() || s.charAt(i + 1) != '\n')) {
        return true;
      }
    }
    return false;
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"\n.\n", "\r.\r", "\n.\r\n", "\r\n.\n"})
  void nonStandardEndOfDataFedByteAtATimeStillNeverEnds(String fakeEnd) {
    SessionProbe probe = SessionProbe.inTransaction()
        .sendByteAtATime("DATA\r\nBody" + fakeEnd + SMUGGLED);
    assertEquals(List.of(354), probe.codes());
    probe.sendByteAtATime("\r\n.\r\n");
    assertEquals(hasBareCarriageReturn(fakeEnd) ? 550 : 250, probe.last().code());
    assertTrue(probe.messages.size() <= 1, "never a second message");
  }

  @Test
  void bareLineFeedInsideDataIsNormalisedToCrlf() {
    SessionProbe probe = SessionProbe.inTransaction().send("DATA\r\nline one\nline two\n\r\n.\r\n");
    assertEquals(250, probe.last().code());
    assertEquals("line one\r\nline two\r\n\r\n", probe.messageText(0));
  }

  @Test
  void dotLineAfterABareLineFeedIsNeitherUnstuffedNorAnEnd() {
    SessionProbe probe = SessionProbe.inTransaction().send("DATA\r\na\n..b\n.\r\nc\r\n.\r\n");
    assertEquals(List.of(354, 250), probe.codes());
    assertEquals("a\r\n..b\r\n.\r\nc\r\n", probe.messageText(0));
  }

  @Test
  void bareCarriageReturnInsideDataRefusesMessage() {
    SessionProbe probe = SessionProbe.inTransaction().send("DATA\r\nline one\rline two\r\n.\r\n");
    assertEquals("550 5.6.11 Message contains bare CR, which cannot be sent via DATA; "
        + "use CRLF line endings or BDAT", probe.lastText());
    assertTrue(probe.messages.isEmpty());
  }

  @Test
  void sessionGoesOnAfterRefusedMessage() {
    SessionProbe probe = SessionProbe.inTransaction().send("DATA\r\nbad\r\r\n.\r\n")
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
