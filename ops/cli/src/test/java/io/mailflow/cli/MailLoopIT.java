package io.mailflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.kafka.TopicReader;
import io.mailflow.kafka.Topics;
import io.mailflow.organization.Organization;
import io.mailflow.organization.OrganizationLoader;
import io.mailflow.schemas.avro.TrackingEvent;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes whose configs disagree on where DAG1's DB03 is active, each sure it is on the other: a
 * message for Dave goes back and forth over SMTP until an edge counts more Received fields than the
 * internal MaxHopCount (60, our own included) and refuses it {@code 554 5.4.6}, which the sending
 * server's delivery records as a FAIL. One network message id all the way.
 */
class MailLoopIT {
  @TempDir Path work;

  @Test
  void aMessageRelayedBackAndForthBetweenTwoServersStopsWithHopCountExceeded() throws Exception {
    int ex01Edge = TestPorts.free();
    int ex02Edge = TestPorts.free();
    Organization ex01Config = OrganizationLoader.parse(
        CrossSiteRelayIT.organizationYaml("EX01", "A", ex01Edge, ex02Edge), "ex01.yaml");
    String ex02Yaml = CrossSiteRelayIT.organizationYaml("EX02", "B", ex01Edge, ex02Edge)
        .replace("activeServer: EX02", "activeServer: EX01"); // the disagreement
    Organization ex02Config = OrganizationLoader.parse(ex02Yaml, "ex02.yaml");
    String subject = "loop " + UUID.randomUUID();
    try (RunCommand.Running ex02 = RunCommand.Running.start(ex02Config, work.resolve("ex02"), 0, quiet());
        RunCommand.Running ex01 = RunCommand.Running.start(ex01Config, work.resolve("ex01"), 0, quiet());
        TopicReader<TrackingEvent> tracking01 = TopicReader.fromEnd(ex01.kafka.bootstrapServers(), Topics.TRACKING);
        TopicReader<TrackingEvent> tracking02 = TopicReader.fromEnd(ex02.kafka.bootstrapServers(), Topics.TRACKING)) {
      MailflowRunIT.send(ex01Edge, subject, "dave@contoso.test");

      List<TrackingEvent> seen = new ArrayList<>();
      TrackingEvent fail = null;
      long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      while (fail == null && System.nanoTime() < deadline) {
        for (TopicReader<TrackingEvent> reader : List.of(tracking01, tracking02)) {
          for (TopicReader.Entry<TrackingEvent> entry : reader.poll(Duration.ofMillis(100))) {
            TrackingEvent e = entry.value();
            if (e != null && subject.equals(e.getMessageSubject())) {
              seen.add(e);
              if ("FAIL".equals(e.getEventId()) && String.join(" ", e.getRecipientStatus()).contains("5.4.6")) {
                fail = e;
              }
            }
          }
        }
      }
      assertNotNull(fail, "a FAIL with 5.4.6; events seen: " + seen.size());
      assertTrue(String.join(" ", fail.getRecipientStatus())
          .contains("554 5.4.6 Hop count exceeded - possible mail loop"), fail.getRecipientStatus().toString());
      long sends = seen.stream().filter(e -> "SEND".equals(e.getEventId())).count();
      assertTrue(sends >= 25 && sends <= 31, "relays before the loop was stopped: " + sends);
      String id = seen.get(0).getNetworkMessageId();
      assertEquals(List.of(id), seen.stream().map(TrackingEvent::getNetworkMessageId).distinct().toList(),
          "one network message id on both servers, every pass");
    }
  }

  private static PrintWriter quiet() {
    return new PrintWriter(new StringWriter());
  }
}
