package io.mailflow.admin;

import io.mailflow.schemas.avro.TrackingEvent;
import io.mailflow.tracking.DeliveryReport;
import io.mailflow.tracking.FederatedTrackingSearch;
import io.mailflow.tracking.IndexStatus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * TrackingJson - message-tracking answers as JSON: events with Exchange's kebab-case field names (date-time,
 * event-id, network-message-id ...), delivery reports, index status, and what the federation could not cover.
 */
public final class TrackingJson {
  private TrackingJson() {}

  /** One event, every field under Exchange's name (camelCase to kebab-case: dateTime → date-time). */
  public static JsonObject event(SpecificRecord record) {
    JsonObject json = new JsonObject();
    for (Schema.Field field : record.getSchema().getFields()) {
      json.put(exchangeName(field.name()), value(record.get(field.pos())));
    }
    return json;
  }

  private static Object value(Object v) {
    if (v == null || v instanceof Number || v instanceof Boolean) {
      return v;
    }
    if (v instanceof SpecificRecord r) {
      return event(r);
    }
    if (v instanceof Collection<?> items) {
      JsonArray a = new JsonArray();
      items.forEach(i -> a.add(value(i)));
      return a;
    }
    return v.toString(); // Instant as ISO-8601, CharSequence
  }

  /** camelCase to Exchange's kebab-case. */
  public static String exchangeName(String camel) {
    StringBuilder out = new StringBuilder(camel.length() + 4);
    for (char c : camel.toCharArray()) {
      if (Character.isUpperCase(c)) {
        out.append('-').append(Character.toLowerCase(c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  public static JsonArray events(Collection<TrackingEvent> events) {
    JsonArray a = new JsonArray();
    events.forEach(e -> a.add(event(e)));
    return a;
  }

  /** The delivery report: the message, its servers, one timeline per recipient, the message's own events. */
  public static JsonObject report(DeliveryReport r) {
    JsonArray recipients = new JsonArray();
    Set<String> servers = new LinkedHashSet<>(); // in the order the message reached them
    java.util.List<DeliveryReport.Event> all = new java.util.ArrayList<>(r.messageEvents());
    r.recipients().forEach(rcpt -> all.addAll(rcpt.events()));
    all.stream().sorted(java.util.Comparator.comparing(DeliveryReport.Event::time))
        .filter(e -> e.server() != null).forEach(e -> servers.add(e.server()));
    for (DeliveryReport.Recipient rcpt : r.recipients()) {
      JsonArray timeline = new JsonArray();
      rcpt.events().forEach(e -> timeline.add(step(e)));
      recipients.add(new JsonObject().put("address", rcpt.address()).put("status", rcpt.status().wording())
          .put("expandedFrom", rcpt.expandedFrom()).put("events", timeline));
    }
    JsonArray own = new JsonArray();
    r.messageEvents().forEach(e -> own.add(step(e)));
    return new JsonObject().put("networkMessageIds", new JsonArray(r.networkMessageIds()))
        .put("messageId", r.messageId()).put("subject", r.subject()).put("sender", r.sender())
        .put("submitTime", text(r.submitTime())).put("servers", new JsonArray(servers.stream().toList()))
        .put("recipients", recipients).put("messageEvents", own);
  }

  private static JsonObject step(DeliveryReport.Event e) {
    return new JsonObject().put("time", text(e.time())).put("server", e.server()).put("source", e.source())
        .put("eventId", e.eventId()).put("recipientStatus", e.recipientStatus()).put("sourceContext", e.sourceContext())
        .put("connectorId", e.connectorId()).put("networkMessageId", e.networkMessageId());
  }

  public static JsonObject status(IndexStatus s) {
    JsonObject positions = new JsonObject();
    s.positions().entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(p -> positions.put(String.valueOf(p.getKey()), p.getValue()));
    return new JsonObject().put("eventsIndexed", s.eventsIndexed()).put("lastIndexed", text(s.lastIndexed()))
        .put("newestEvent", text(s.newestEvent())).put("lag", s.lag()).put("undecodable", s.undecodable())
        .put("rebuilding", s.rebuilding()).put("positions", positions);
  }

  /** Adds {@code unreachable} (always) and {@code indexing} (when an index is behind its topic). */
  public static JsonObject withCoverage(JsonObject body, FederatedTrackingSearch.Answer<?> answer) {
    body.put("unreachable", new JsonArray(answer.unreachable()));
    if (!answer.catchingUp().isEmpty()) {
      long lag = 0;
      JsonObject clusters = new JsonObject();
      for (Map.Entry<String, IndexStatus> e : answer.catchingUp().entrySet()) {
        lag += e.getValue().lag();
        clusters.put(e.getKey(), new JsonObject().put("lag", e.getValue().lag())
            .put("rebuilding", e.getValue().rebuilding()).put("newestEvent", text(e.getValue().newestEvent())));
      }
      body.put("indexing", new JsonObject().put("lag", lag).put("clusters", clusters));
    }
    return body;
  }

  private static String text(Instant t) {
    return t == null ? null : t.toString();
  }
}
