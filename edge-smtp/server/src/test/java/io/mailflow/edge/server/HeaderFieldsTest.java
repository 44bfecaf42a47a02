package io.mailflow.edge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HeaderFieldsTest {

  private static HeaderFields parse(String message) {
    return HeaderFields.parse(message.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void readsMessageIdAndSubject() {
    HeaderFields h = parse("Received: from x\r\n by y\r\nMessage-ID: <1@x>\r\nSubject: Hello\r\n\r\nbody\r\n");
    assertEquals(new HeaderFields("<1@x>", "Hello"), h);
  }

  @Test
  void unfoldsContinuationLinesAndMatchesNamesInAnyCase() {
    HeaderFields h = parse("SUBJECT: Quarterly\r\n\treport\r\nmessage-id:\r\n <2@x>\r\n\r\n");
    assertEquals(new HeaderFields("<2@x>", "Quarterly\treport"), h);
  }

  @Test
  void stopsAtTheEndOfTheHeaderSection() {
    HeaderFields h = parse("From: a@b\r\n\r\nSubject: not a header\r\n");
    assertNull(h.subject());
    assertNull(h.messageId());
  }

  @Test
  void decodesEncodedWordsLikeTheTrackingLog() {
    // the space between two encoded words is not part of the text (RFC 2047 6.2)
    assertEquals("Re: Grüße aus Köln",
        parse("Subject: Re: =?UTF-8?B?R3LDvMOfZSA=?= =?iso-8859-1?Q?aus_K=F6ln?=\r\n\r\n").subject());
  }

  @Test
  void keepsRawUtf8Subjects() {
    assertEquals("Zoë", parse("Subject: Zoë\r\n\r\n").subject());
  }

  @Test
  void keepsMalformedEncodedWordsAsTheyAre() {
    assertEquals("=?x-unknown?B?AAAA?=", parse("Subject: =?x-unknown?B?AAAA?=\r\n\r\n").subject());
  }

  @Test
  void toleratesBareLineFeedsFromBdat() {
    assertEquals(new HeaderFields("<3@x>", "s"), parse("Subject: s\nMessage-ID: <3@x>\n\nbody"));
  }
}
