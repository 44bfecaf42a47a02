package io.mailflow.categorizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeaderAddressesTest {
  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void readsAddressesOfFoldedFieldsWithDisplayNamesCommentsAndQuotes() {
    byte[] message = bytes("Received: from x\r\nFROM: \"Smith, Alice\" (the boss)\r\n <alice@contoso.test>,"
        + " bob@contoso.test (Bob)\r\nSender: Team: carol@contoso.test, \"q<x>\" <@relay.test:dave@contoso.test>;\r\n"
        + "Subject: From: mallory@evil.test\r\n\r\nFrom: eve@evil.test\r\n");
    assertEquals(List.of("alice@contoso.test", "bob@contoso.test"), HeaderAddresses.of(message, "From"));
    assertEquals(List.of("carol@contoso.test", "dave@contoso.test"), HeaderAddresses.of(message, "sender"));
  }

  @Test
  void theHeaderSectionEndsAtTheFirstEmptyLineWithCrlfOrBareLf() {
    assertEquals("A: 1\r\n", new String(HeaderAddresses.headerSection(bytes("A: 1\r\n\r\nFrom: x@y\r\n")),
        StandardCharsets.UTF_8));
    assertEquals(List.of(), HeaderAddresses.of(bytes("A: 1\n\nFrom: x@y.test\n"), "From"));
  }

  @Test
  void whatIsNoAddressIsLeftOut() {
    assertEquals(List.of(), HeaderAddresses.of(bytes("From: undisclosed-recipients:;\r\n\r\n"), "From"));
    assertEquals(List.of("ü@contoso.test"), HeaderAddresses.of(bytes("From: Ü <ü@contoso.test>\r\n\r\n"), "From"));
  }
}
