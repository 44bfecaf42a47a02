package io.mailflow.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.kafka.TrackingEventId;
import io.mailflow.kafka.TrackingSource;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrackingQueryTest {
  private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  private static TrackingQuery parse(String... nameValues) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    for (int i = 0; i < nameValues.length; i += 2) {
      m.computeIfAbsent(nameValues[i], k -> new java.util.ArrayList<>()).add(nameValues[i + 1]);
    }
    return TrackingQuery.fromParameters(m, CLOCK, ZoneOffset.UTC);
  }

  private static TrackingQueryException bad(String... nameValues) {
    return assertThrows(TrackingQueryException.class, () -> parse(nameValues));
  }

  @Test
  void noParametersMatchEverythingFirstThousand() {
    TrackingQuery q = parse();
    assertEquals(TrackingQuery.all(), q);
    assertEquals(1000, q.resultSize());
  }

  @Test
  void everyParameterIsReadAndNormalized() {
    TrackingQuery q = parse("Sender", "Carol@Contoso.TEST", "Recipients", "Bob@Fabrikam.test, <dave@contoso.test>",
        "Recipients", "erin@contoso.test", "MessageId", "<ABC@contoso.test>", "NetworkMessageId", "NMID-1",
        "InternalMessageId", "42", "EventId", "deliver", "Source", "storedriver", "MessageSubject", "Budget",
        "Server", "EX01", "Reference", "R1", "Start", "2026-12-01", "End", "2026-12-07T11:00:00Z",
        "ResultSize", "50");
    assertEquals("carol@contoso.test", q.sender());
    assertEquals(List.of("bob@fabrikam.test", "dave@contoso.test", "erin@contoso.test"), q.recipients());
    assertEquals("abc@contoso.test", q.messageId());
    assertEquals("nmid-1", q.networkMessageId());
    assertEquals("42", q.internalMessageId());
    assertEquals(TrackingEventId.DELIVER, q.eventId());
    assertEquals(TrackingSource.STOREDRIVER, q.source());
    assertEquals("Budget", q.messageSubject());
    assertEquals("ex01", q.server());
    assertEquals("r1", q.reference());
    assertEquals(Instant.parse("2026-12-01T00:00:00Z"), q.start());
    assertEquals(Instant.parse("2026-12-07T11:00:00Z"), q.end());
    assertEquals(50, q.resultSize());
    assertNull(q.cursor());
  }

  @Test
  void namesAreCaseInsensitiveAndMayHaveADash() {
    assertEquals("carol@contoso.test", parse("-sender", "carol@contoso.test").sender());
    assertEquals("carol@contoso.test", parse("SENDER", "carol@contoso.test").sender());
  }

  @Test
  void relativeTimesCountBackFromNow() {
    TrackingQuery q = parse("Start", "-2h", "End", "-30m");
    assertEquals(NOW.minusSeconds(7200), q.start());
    assertEquals(NOW.minusSeconds(1800), q.end());
    assertEquals(NOW.minusSeconds(30 * 86400), parse("Start", "-30d").start());
  }

  @Test
  void messageIdWithOrWithoutBracketsIsTheSame() {
    assertEquals(parse("MessageId", "<a@b.test>").messageId(), parse("MessageId", "a@b.test").messageId());
  }

  @Test
  void unlimitedResultSize() {
    assertEquals(TrackingQuery.UNLIMITED, parse("ResultSize", "Unlimited").resultSize());
    assertEquals(TrackingQuery.UNLIMITED, parse("ResultSize", "unlimited").resultSize());
  }

  @Test
  void unknownParameterIsRefusedNamingItAndTheKnownOnes() {
    TrackingQueryException e = bad("Subject", "x");
    assertEquals("Subject", e.parameter());
    assertTrue(e.getMessage().contains("unknown parameter 'Subject'"), e.getMessage());
    assertTrue(e.getMessage().contains("MessageSubject"), e.getMessage());
  }

  @Test
  void malformedSenderIsRefusedQuotingIt() {
    TrackingQueryException e = bad("Sender", "carol.contoso.test");
    assertEquals("Sender", e.parameter());
    assertTrue(e.getMessage().startsWith("Sender 'carol.contoso.test' is not an SMTP address"), e.getMessage());
  }

  @Test
  void malformedRecipientIsRefusedQuotingIt() {
    TrackingQueryException e = bad("Recipients", "bob@fabrikam.test,bad..dot@x.test");
    assertEquals("Recipients", e.parameter());
    assertTrue(e.getMessage().startsWith("Recipients 'bad..dot@x.test' is not an SMTP address"), e.getMessage());
  }

  @Test
  void badTimeIsRefusedWithTheForms() {
    TrackingQueryException e = bad("Start", "yesterday");
    assertEquals("Start", e.parameter());
    assertTrue(e.getMessage().startsWith("Start 'yesterday' is not a time: use an ISO-8601 instant"), e.getMessage());
    assertEquals("End", bad("End", "2026-13-45").parameter());
  }

  @Test
  void invertedWindowIsRefused() {
    TrackingQueryException e = bad("Start", "2026-12-07", "End", "2026-12-01");
    assertEquals("Start", e.parameter());
    assertTrue(e.getMessage().contains("is after End '2026-12-01'"), e.getMessage());
  }

  @Test
  void unknownEventIdIsRefusedListingTheKnownOnes() {
    TrackingQueryException e = bad("EventId", "BOUNCE");
    assertEquals("EventId", e.parameter());
    assertTrue(e.getMessage().startsWith("EventId 'BOUNCE' is not one of RECEIVE, SUBMIT"), e.getMessage());
  }

  @Test
  void unknownSourceIsRefused() {
    TrackingQueryException e = bad("Source", "MAPI");
    assertEquals("Source", e.parameter());
    assertTrue(e.getMessage().startsWith("Source 'MAPI' is not one of SMTP, STOREDRIVER"), e.getMessage());
  }

  @Test
  void badResultSizeIsRefused() {
    assertTrue(bad("ResultSize", "0").getMessage().startsWith("ResultSize '0' is not a positive number"));
    assertTrue(bad("ResultSize", "lots").getMessage().startsWith("ResultSize 'lots' is not a positive number"));
  }

  @Test
  void singleValuedParameterGivenTwiceIsRefused() {
    TrackingQueryException e = bad("Sender", "a@b.test", "Sender", "c@d.test");
    assertTrue(e.getMessage().startsWith("Sender given 2 times"), e.getMessage());
  }

  @Test
  void emptyValueIsRefused() {
    assertTrue(bad("NetworkMessageId", " ").getMessage().startsWith("NetworkMessageId '' is empty"));
  }

  @Test
  void badCursorIsRefused() {
    TrackingQueryException e = bad("Cursor", "not-a-cursor");
    assertEquals("Cursor", e.parameter());
    assertTrue(e.getMessage().startsWith("Cursor 'not-a-cursor' is not a cursor this index gave"), e.getMessage());
  }

  @Test
  void aCursorSurvivesTheRoundTrip() {
    String c = new TrackingCursor(1234L, 5L).encode();
    assertEquals(c, parse("Cursor", c).cursor());
    assertEquals(new TrackingCursor(1234L, 5L), TrackingCursor.decode(c));
  }
}
