package io.mailflow.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The parts of the queue and message views that need no broker: qshape buckets, header parsing, query checks. */
class MessageViewsTest {

  @Test
  void ageBucketsFollowQshapeInWholeMinutes() {
    assertEquals(0, QueueView.bucket(Duration.ofSeconds(59)), "under a minute");
    assertEquals(1, QueueView.bucket(Duration.ofMinutes(1)));
    assertEquals(1, QueueView.bucket(Duration.ofMinutes(5).plusSeconds(59)), "5 whole minutes");
    assertEquals(2, QueueView.bucket(Duration.ofMinutes(6)));
    assertEquals(9, QueueView.bucket(Duration.ofMinutes(1280)));
    assertEquals(10, QueueView.bucket(Duration.ofMinutes(1281)), "1280+");
    assertEquals(0, QueueView.bucket(Duration.ofSeconds(-5)), "a clock ahead of the record counts as new");
  }

  @Test
  void headersAreUnfoldedAndStopAtTheBlankLine() {
    byte[] head = ("Received: from a\r\n\tby b\r\nSubject: =?UTF-8?Q?x?= caf\u00e9\r\nX-Empty:\r\nno colon line\r\n"
        + "\r\nBody: not a header\r\n").getBytes(StandardCharsets.UTF_8);
    List<MessageDetail.Header> headers = MessageDetail.headers(head);
    assertEquals(List.of(new MessageDetail.Header("Received", "from a by b"),
        new MessageDetail.Header("Subject", "=?UTF-8?Q?x?= caf\u00e9"), new MessageDetail.Header("X-Empty", "")),
        headers, "got " + headers);
    assertEquals(1, MessageDetail.headers("Subject: bare LF\n\nbody\n".getBytes(StandardCharsets.US_ASCII)).size());
  }

  @Test
  void queryParametersAreCheckedAndSaySoWhenWrong() {
    assertEquals(100, MessageQuery.of(Map.of(), true).limit());
    assertEquals("key", MessageQuery.of(Map.of("queue", List.of("MBX1\\key")), true).queue(), "server\\key");
    for (Map<String, List<String>> bad : List.of(Map.of("limit", List.of("0")), Map.of("limit", List.of("1001")),
        Map.of("limit", List.of("x")), Map.of("status", List.of("Sleeping")), Map.of("after", List.of("%%%")),
        Map.of("colour", List.of("red")))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MessageQuery.of(bad, true));
      assertTrue(e.getMessage().contains(bad.keySet().iterator().next()), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> MessageQuery.of(Map.of("limit", List.of("5")), false),
        "an action by filter takes no paging");
  }
}
