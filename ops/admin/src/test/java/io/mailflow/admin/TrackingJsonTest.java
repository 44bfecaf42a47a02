package io.mailflow.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.mailflow.tracking.FederatedTrackingSearch;
import io.mailflow.tracking.IndexStatus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the tracking answers say about their coverage: unreachable clusters, indexes catching up. */
class TrackingJsonTest {
  @Test
  void anIndexCatchingUpAddsIndexingWithItsLag() {
    JsonObject body = TrackingJson.withCoverage(new JsonObject(), new FederatedTrackingSearch.Answer<>("x",
        List.of("EX02 at 127.0.0.1:19093"), Map.of("EX01 at 127.0.0.1:19092",
            new IndexStatus(10, null, null, Map.of(0, 10L), 990, 0, true))));
    assertEquals(new JsonArray().add("EX02 at 127.0.0.1:19093"), body.getJsonArray("unreachable"));
    assertEquals(990, body.getJsonObject("indexing").getLong("lag"));
    assertEquals(true, body.getJsonObject("indexing").getJsonObject("clusters")
        .getJsonObject("EX01 at 127.0.0.1:19092").getBoolean("rebuilding"));
  }

  @Test
  void aCaughtUpAnswerHasNoIndexing() {
    JsonObject body = TrackingJson.withCoverage(new JsonObject(), new FederatedTrackingSearch.Answer<>("x",
        List.of(), Map.of()));
    assertEquals(new JsonArray(), body.getJsonArray("unreachable"));
    assertFalse(body.containsKey("indexing"));
  }

  @Test
  void fieldNamesAreExchanges() {
    assertEquals("date-time", TrackingJson.exchangeName("dateTime"));
    assertEquals("network-message-id", TrackingJson.exchangeName("networkMessageId"));
    assertEquals("source", TrackingJson.exchangeName("source"));
  }
}
