package io.mailflow.admin;

import io.mailflow.schemas.avro.ControlRecord;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.TrackingEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * MessageJson - the JSON shapes of the queues and messages API (ISSUE10 contract), built from a
 * {@link MessageIndex.Snapshot}; the admin API answers them and {@code mailflow message|queue} prints from them.
 */
public final class MessageJson {
  private MessageJson() {}

  public static JsonObject queueJson(QueueView.Row r, Instant now) {
    JsonObject q = new JsonObject().put("identity", r.identity()).put("server", r.server())
        .put("nextHop", r.nextHop()).put("deliveryType", r.deliveryType()).put("nextHopDomain", r.nextHopDomain())
        .put("status", r.status()).put("messageCount", r.messageCount())
        .put("oldestMessageReceived", text(r.oldestReceived())).put("oldestMessageAgeSeconds", r.oldestAgeSeconds(now))
        .put("lastError", r.lastError()).put("nextRetryTime", text(r.nextRetryTime()))
        .put("incomingRate", r.incomingRate()).put("outgoingRate", r.outgoingRate());
    ControlRecord a = r.admin();
    if (a != null) {
      q.put("admin", new JsonObject().put("state", a.getState()).put("setBy", a.getSetBy())
          .put("setAt", text(a.getSetAt())).put("reason", a.getReason()));
    }
    return q;
  }

  public static JsonObject digestJson(List<QueueView.Group> groups, String groupBy) {
    JsonArray list = new JsonArray();
    for (QueueView.Group g : groups) {
      JsonArray ages = new JsonArray();
      for (int n : g.ages()) {
        ages.add(n);
      }
      list.add(new JsonObject().put("key", g.key()).put("messageCount", g.messageCount())
          .put("queueCount", g.queueCount()).put("ages", ages));
    }
    return new JsonObject().put("groupBy", groupBy).put("ageBuckets", new JsonArray(QueueView.AGE_BUCKETS))
        .put("groups", list);
  }

  public static JsonObject page(MessageIndex.Snapshot s, MessageQuery query) {
    List<MessageIndex.Copy> all = query.matching(s);
    List<MessageIndex.Copy> page = query.page(all);
    JsonArray messages = new JsonArray();
    page.forEach(c -> messages.add(messageJson(s, c)));
    // sorted and unique: more follow unless the page ends with the last match
    boolean more = !page.isEmpty() && page.get(page.size() - 1) != all.get(all.size() - 1);
    return new JsonObject().put("messages", messages).put("total", all.size())
        .put("next", more ? MessageQuery.cursorAfter(page.get(page.size() - 1)) : null);
  }

  /** A list item: Get-Message's fields. */
  public static JsonObject messageJson(MessageIndex.Snapshot s, MessageIndex.Copy c) {
    String status = s.status(c);
    Map<String, String> replies = s.lastReplies().getOrDefault(c.id(), Map.of());
    JsonArray recipients = new JsonArray();
    String lastError = null;
    for (String address : c.recipients()) {
      String reply = replies.get(address.toLowerCase(Locale.ROOT));
      lastError = lastError == null ? reply : lastError;
      recipients.add(new JsonObject().put("address", address).put("status", reply != null && "Ready".equals(status)
          ? "Retry" : status).put("lastReply", reply));
    }
    MessageIndex.Reported queue = s.reported().get(c.queue());
    if (lastError == null && "Retry".equals(status) && queue != null) {
      lastError = queue.state().getLastError(); // the queue's, as its last QUEUESTATE reported it
    }
    return new JsonObject().put("id", c.id()).put("queue", c.queue()).put("networkMessageId", c.networkMessageId())
        .put("sender", c.sender()).put("recipients", recipients).put("size", c.size()).put("subject", c.subject())
        .put("dateReceived", text(c.receivedAt())).put("retryCount", c.attempt())
        .put("expirationTime", text(c.receivedAt().plus(QueueView.EXPIRATION))).put("status", status)
        .put("messageSourceName", c.receiveConnector())
        .put("lastError", lastError);
  }

  /**
   * The detail of one copy: the list item plus its envelope, its headers (from the body's head) and its tracking
   * events. Reads Kafka: blocking.
   */
  public static JsonObject detail(String bootstrap, MessageIndex.Snapshot s, MessageIndex.Copy c, Duration timeout) {
    return detail(bootstrap, s, c, timeout, null);
  }

  /** As above, the tracking events from {@code tracking}'s own index when it has caught up, else from the topic. */
  public static JsonObject detail(String bootstrap, MessageIndex.Snapshot s, MessageIndex.Copy c, Duration timeout,
      io.mailflow.tracking.FederatedTrackingSearch tracking) {
    DeliveryItem item = MessageDetail.item(bootstrap, c, timeout);
    JsonObject detail = messageJson(s, c);
    detail.put("envelope", envelopeJson(item));
    JsonArray headers = new JsonArray();
    MessageDetail.headers(MessageDetail.head(item))
        .forEach(h -> headers.add(new JsonObject().put("name", h.name()).put("value", h.value())));
    detail.put("headers", headers);
    JsonArray events = new JsonArray();
    Map<String, String> replies = new java.util.HashMap<>(); // each recipient's last status, from its own events
    List<TrackingEvent> tracked = tracking == null ? null : MessageDetail.trackingEvents(tracking, c);
    for (TrackingEvent e : tracked != null ? tracked : MessageDetail.trackingEvents(bootstrap, c, timeout)) {
      for (int i = 0; i < e.getRecipientAddress().size() && i < e.getRecipientStatus().size(); i++) {
        if (!e.getRecipientStatus().get(i).isBlank()) {
          replies.put(e.getRecipientAddress().get(i).toLowerCase(Locale.ROOT), e.getRecipientStatus().get(i));
        }
      }
      events.add(new JsonObject().put("dateTime", text(e.getDateTime())).put("eventId", e.getEventId())
          .put("source", e.getSource()).put("recipients", new JsonArray(e.getRecipientAddress()))
          .put("recipientStatus", new JsonArray(e.getRecipientStatus())).put("sourceContext", e.getSourceContext())
          .put("serverHostname", e.getServerHostname()));
    }
    detail.put("trackingEvents", events);
    for (Object o : detail.getJsonArray("recipients")) {
      JsonObject r = (JsonObject) o;
      String reply = replies.get(r.getString("address").toLowerCase(Locale.ROOT));
      if (reply != null) {
        r.put("lastReply", reply);
      }
    }
    return detail;
  }

  /** An action's answer: {id, action, state, setBy, setAt, reason}. */
  public static JsonObject actionResult(String id, MessageActions.Action action, ControlRecord record) {
    return new JsonObject().put("id", id).put("action", action.name().toLowerCase(Locale.ROOT))
        .put("state", record.getState()).put("setBy", record.getSetBy()).put("setAt", text(record.getSetAt()))
        .put("reason", record.getReason());
  }

  static JsonObject envelopeJson(DeliveryItem item) {
    var e = item.getEnvelope();
    JsonArray recipients = new JsonArray();
    item.getRecipients().forEach(r -> recipients.add(new JsonObject().put("address", r.getAddress())
        .put("originalAddress", r.getOriginalAddress()).put("type", r.getType().name()).put("orcpt", r.getOrcpt())
        .put("notify", new JsonArray(r.getNotify().stream().map(Enum::name).toList()))));
    return new JsonObject().put("networkMessageId", e.getNetworkMessageId()).put("receivedAt", text(e.getReceivedAt()))
        .put("receivingServer", e.getReceivingServer()).put("receiveConnector", e.getReceiveConnector())
        .put("sessionId", e.getSessionId()).put("clientIp", e.getClientIp())
        .put("clientHostname", e.getClientHostname())
        .put("authenticatedAs", e.getAuthenticatedAs()).put("sender", e.getSender())
        .put("messageIdHeader", e.getMessageIdHeader()).put("subject", e.getSubject()).put("size", e.getSize())
        .put("bodyType", e.getBodyType().name()).put("smtpUtf8", e.getSmtpUtf8())
        .put("dsnRet", e.getDsnRet() == null ? null : e.getDsnRet().name()).put("envId", e.getEnvId())
        .put("nextHop", item.getNextHop().getDeliveryType() + ":" + item.getNextHop().getNextHopDomain())
        .put("connector", item.getNextHop().getConnector()).put("recipients", recipients)
        .put("attempt", item.getAttempt()).put("notBefore", text(item.getNotBefore()));
  }

  static String text(Instant t) {
    return t == null ? null : t.toString();
  }
}
