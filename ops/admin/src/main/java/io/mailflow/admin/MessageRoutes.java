package io.mailflow.admin;

import io.mailflow.delivery.agent.body.BodyUnavailableException;
import io.mailflow.kafka.KafkaUnavailableException;
import io.mailflow.organization.Administrator;
import io.mailflow.schemas.avro.ControlRecord;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.TrackingEvent;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * MessageRoutes - the admin API's queues and messages (Get-Queue, Get-QueueDigest, Get-Message, Export-Message,
 * Suspend-/Resume-/Retry-/Remove-Message), answered from the process's one live {@link MessageIndex}. Every Kafka
 * read and write runs in {@code executeBlocking}; the event loop only parses, routes and writes.
 */
final class MessageRoutes {
  private static final String CLIENT_ID = "mailflow-admin-messages";

  private final Vertx vertx;
  private final String bootstrap;
  private final Duration timeout;
  private final String serverName;
  private final AdministratorLogin login;
  private final MessageIndex index;

  MessageRoutes(Vertx vertx, String bootstrap, Duration timeout, String serverName, AdministratorLogin login) {
    this.vertx = vertx;
    this.bootstrap = bootstrap;
    this.timeout = timeout;
    this.serverName = serverName;
    this.login = login;
    this.index = MessageIndex.start(bootstrap, "mailflow-admin-index", timeout);
  }

  /** The routes of queues and messages. */
  void register(Router router) {
    router.get("/api/v1/queues").handler(login.require(false)).handler(this::listQueues);
    router.get("/api/v1/queues/digest").handler(login.require(false)).handler(this::digest);
    router.get("/api/v1/messages").handler(login.require(false)).handler(this::listMessages);
    router.post("/api/v1/messages/:action").handler(login.require(true)).handler(this::actionByFilter);
    router.get("/api/v1/messages/:id").handler(login.require(false)).handler(this::showMessage);
    router.get("/api/v1/messages/:id/raw").handler(login.require(false)).handler(this::export);
    router.post("/api/v1/messages/:id/:action").handler(login.require(true)).handler(this::action);
  }

  void close() {
    index.close();
  }

  MessageIndex index() {
    return index;
  }

  /** GET /api/v1/queues: Get-Queue with the index's counts. */
  private void listQueues(RoutingContext ctx) {
    blocking(ctx, () -> {
      MessageIndex.Snapshot s = index.snapshot();
      JsonArray queues = new JsonArray();
      QueueView.rows(s).forEach(r -> queues.add(queueJson(r, s.at())));
      return new JsonObject().put("queues", queues);
    });
  }

  static JsonObject queueJson(QueueView.Row r, Instant now) {
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

  /** GET /api/v1/queues/digest?groupBy=: Get-QueueDigest with qshape's age buckets. */
  private void digest(RoutingContext ctx) {
    for (String name : ctx.queryParams().names()) {
      if (!name.equals("groupBy")) {
        AdminServer.error(ctx, 400, "bad_request", "unknown parameter '" + name + "'; use groupBy");
        return;
      }
    }
    String groupBy = ctx.queryParams().get("groupBy") == null ? "nextHopDomain" : ctx.queryParams().get("groupBy");
    if (!QueueView.GROUP_BY.contains(groupBy)) {
      AdminServer.error(ctx, 400, "bad_request", "groupBy must be one of " + String.join(", ", QueueView.GROUP_BY)
          + ", not '" + groupBy + "'");
      return;
    }
    blocking(ctx, () -> digestJson(QueueView.digest(index.snapshot(), groupBy), groupBy));
  }

  static JsonObject digestJson(List<QueueView.Group> groups, String groupBy) {
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

  /** GET /api/v1/messages?queue=&sender=&recipient=&status=&limit=&after=: Get-Message, one page. */
  private void listMessages(RoutingContext ctx) {
    MessageQuery query;
    try {
      query = MessageQuery.of(params(ctx), true);
    } catch (IllegalArgumentException e) {
      AdminServer.error(ctx, 400, "bad_request", e.getMessage());
      return;
    }
    blocking(ctx, () -> page(index.snapshot(), query));
  }

  static JsonObject page(MessageIndex.Snapshot s, MessageQuery query) {
    List<MessageIndex.Copy> all = query.matching(s);
    List<MessageIndex.Copy> page = query.page(all);
    Map<String, QueueView.Row> queues = new LinkedHashMap<>();
    QueueView.rows(s).forEach(r -> queues.put(r.nextHop(), r));
    JsonArray messages = new JsonArray();
    page.forEach(c -> messages.add(messageJson(s, c, queues.get(c.queue()))));
    boolean more = !page.isEmpty() && all.indexOf(page.get(page.size() - 1)) < all.size() - 1;
    return new JsonObject().put("messages", messages).put("total", all.size())
        .put("next", more ? MessageQuery.cursorAfter(page.get(page.size() - 1)) : null);
  }

  /** A list item: Get-Message's fields. */
  static JsonObject messageJson(MessageIndex.Snapshot s, MessageIndex.Copy c, QueueView.Row queue) {
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
    if (lastError == null && "Retry".equals(status) && queue != null) {
      lastError = queue.lastError();
    }
    return new JsonObject().put("id", c.id()).put("queue", c.queue()).put("networkMessageId", c.networkMessageId())
        .put("sender", c.sender()).put("recipients", recipients).put("size", c.size()).put("subject", c.subject())
        .put("dateReceived", text(c.receivedAt())).put("retryCount", c.attempt())
        .put("expirationTime", text(c.receivedAt().plus(QueueView.EXPIRATION))).put("status", status)
        .put("lastError", lastError);
  }

  /** GET /api/v1/messages/{id}: the list item plus the envelope, the headers and the tracking events. */
  private void showMessage(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    blocking(ctx, () -> {
      MessageIndex.Snapshot s = index.snapshot();
      MessageIndex.Copy c = s.copy(id);
      if (c == null) {
        return unknown(s, id);
      }
      DeliveryItem item = MessageDetail.item(bootstrap, c, timeout);
      JsonObject detail = messageJson(s, c, QueueView.row(QueueView.rows(s), c.queue()));
      detail.put("envelope", envelopeJson(item));
      JsonArray headers = new JsonArray();
      MessageDetail.headers(MessageDetail.head(item))
          .forEach(h -> headers.add(new JsonObject().put("name", h.name()).put("value", h.value())));
      detail.put("headers", headers);
      JsonArray events = new JsonArray();
      for (TrackingEvent e : MessageDetail.trackingEvents(bootstrap, c, timeout)) {
        events.add(new JsonObject().put("dateTime", text(e.getDateTime())).put("eventId", e.getEventId())
            .put("source", e.getSource()).put("recipients", new JsonArray(e.getRecipientAddress()))
            .put("recipientStatus", new JsonArray(e.getRecipientStatus())).put("sourceContext", e.getSourceContext())
            .put("serverHostname", e.getServerHostname()));
      }
      detail.put("trackingEvents", events);
      return detail;
    });
  }

  private static JsonObject envelopeJson(DeliveryItem item) {
    var e = item.getEnvelope();
    JsonArray recipients = new JsonArray();
    item.getRecipients().forEach(r -> recipients.add(new JsonObject().put("address", r.getAddress())
        .put("originalAddress", r.getOriginalAddress()).put("type", r.getType().name()).put("orcpt", r.getOrcpt())
        .put("notify", new JsonArray(r.getNotify().stream().map(Enum::name).toList()))));
    return new JsonObject().put("networkMessageId", e.getNetworkMessageId()).put("receivedAt", text(e.getReceivedAt()))
        .put("receivingServer", e.getReceivingServer()).put("receiveConnector", e.getReceiveConnector())
        .put("sessionId", e.getSessionId()).put("clientIp", e.getClientIp()).put("clientHostname", e.getClientHostname())
        .put("authenticatedAs", e.getAuthenticatedAs()).put("sender", e.getSender())
        .put("messageIdHeader", e.getMessageIdHeader()).put("subject", e.getSubject()).put("size", e.getSize())
        .put("bodyType", e.getBodyType().name()).put("smtpUtf8", e.getSmtpUtf8())
        .put("dsnRet", e.getDsnRet() == null ? null : e.getDsnRet().name()).put("envId", e.getEnvId())
        .put("nextHop", item.getNextHop().getDeliveryType() + ":" + item.getNextHop().getNextHopDomain())
        .put("connector", item.getNextHop().getConnector()).put("recipients", recipients)
        .put("attempt", item.getAttempt()).put("notBefore", text(item.getNotBefore()));
  }

  /** GET /api/v1/messages/{id}/raw: Export-Message, the .eml. */
  private void export(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    vertx.executeBlocking(() -> {
      MessageIndex.Snapshot s = index.snapshot();
      MessageIndex.Copy c = s.copy(id);
      if (c == null) {
        return unknown(s, id);
      }
      return Buffer.buffer(MessageDetail.raw(bootstrap, MessageDetail.item(bootstrap, c, timeout), timeout));
    }, false).onComplete(r -> {
      if (r.failed()) {
        failed(ctx, r.cause());
      } else if (r.result() instanceof JsonObject error) {
        int status = (Integer) error.remove("status");
        AdminServer.json(ctx, status, error);
      } else {
        ctx.response().putHeader("Content-Type", "message/rfc822").putHeader("Cache-Control", "no-store")
            .putHeader("Content-Disposition", "attachment; filename=\"" + id.replaceAll("[^A-Za-z0-9._-]", "_")
                + ".eml\"")
            .end((Buffer) r.result());
      }
    });
  }

  /** A 404 for an id the index does not hold (one that left says when). */
  private static JsonObject unknown(MessageIndex.Snapshot s, String id) {
    MessageIndex.Left left = s.gone().get(id);
    return new JsonObject().put("status", 404).put("error", "unknown_message").put("message", left == null
        ? "no queued message '" + id + "'; GET /api/v1/messages lists them"
        : "message '" + id + "' left its queue (" + left.last().queue() + ") at " + left.at());
  }

  /** POST /api/v1/messages/{id}/suspend|resume|retry|remove. */
  private void action(RoutingContext ctx) {
    MessageActions.Action action = action(ctx, ctx.pathParam("action"));
    Body body = action == null ? null : body(ctx, action);
    if (body == null) {
      return;
    }
    String id = ctx.pathParam("id");
    QueueActions.Actor actor = actor(ctx);
    blocking(ctx, () -> {
      MessageIndex.Snapshot s = index.snapshot();
      MessageIndex.Copy c = s.copy(id);
      if (c == null) {
        MessageIndex.Left left = s.gone().get(id);
        if (left != null) {
          return new JsonObject().put("status", 409).put("error", "conflict").put("message", "message '" + id
              + "' already left its queue (" + left.last().queue() + ") at " + left.at() + "; nothing to "
              + action.name().toLowerCase(Locale.ROOT));
        }
        return unknown(s, id);
      }
      MessageActions.check(action, c, s);
      ControlRecord record = MessageActions.apply(bootstrap, action, List.of(c), body.reason(), body.withNdr(), actor,
          timeout, CLIENT_ID).get(0);
      return new JsonObject().put("id", id).put("action", action.name().toLowerCase(Locale.ROOT))
          .put("state", record.getState()).put("setBy", record.getSetBy()).put("setAt", text(record.getSetAt()))
          .put("reason", record.getReason());
    });
  }

  /** POST /api/v1/messages/suspend|resume|retry|remove?queue=&sender=&recipient=&status=: the matching copies. */
  private void actionByFilter(RoutingContext ctx) {
    MessageActions.Action action = action(ctx, ctx.pathParam("action"));
    if (action == null) {
      return;
    }
    MessageQuery query;
    try {
      query = MessageQuery.of(params(ctx), false);
    } catch (IllegalArgumentException e) {
      AdminServer.error(ctx, 400, "bad_request", e.getMessage());
      return;
    }
    if (!query.hasFilter()) {
      AdminServer.error(ctx, 400, "bad_request", "an action by filter needs at least one of queue, sender, "
          + "recipient, status (to act on one message, POST /api/v1/messages/{id}/" + ctx.pathParam("action") + ")");
      return;
    }
    Body body = body(ctx, action);
    if (body == null) {
      return;
    }
    QueueActions.Actor actor = actor(ctx);
    blocking(ctx, () -> {
      MessageIndex.Snapshot s = index.snapshot();
      List<MessageIndex.Copy> targets = new ArrayList<>();
      for (MessageIndex.Copy c : query.matching(s)) {
        try {
          MessageActions.check(action, c, s);
          targets.add(c);
        } catch (MessageActions.Refused skipped) {
          // a copy being removed is left alone by a filter
        }
      }
      MessageActions.apply(bootstrap, action, targets, body.reason(), body.withNdr(), actor, timeout, CLIENT_ID);
      return new JsonObject().put("matched", targets.size())
          .put("ids", new JsonArray(targets.stream().map(MessageIndex.Copy::id).toList()));
    });
  }

  private static MessageActions.Action action(RoutingContext ctx, String name) {
    try {
      return MessageActions.Action.valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      AdminServer.error(ctx, 404, "not_found", "no message action '" + name
          + "'; use suspend, resume, retry or remove");
      return null;
    }
  }

  private record Body(String reason, boolean withNdr) {}

  /** The optional body {"reason"?: string, "withNDR"?: bool (remove only)}; null after answering 400. */
  private static Body body(RoutingContext ctx, MessageActions.Action action) {
    if (ctx.body() == null || ctx.body().buffer() == null || ctx.body().length() <= 0) {
      return new Body(null, false);
    }
    JsonObject json;
    try {
      json = ctx.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      json = null;
    }
    String shape = action == MessageActions.Action.REMOVE ? "{\"reason\": \"...\", \"withNDR\": true}"
        : "{\"reason\": \"...\"}";
    if (json == null) {
      AdminServer.error(ctx, 400, "bad_request", "the body must be a JSON object such as " + shape);
      return null;
    }
    for (String key : json.fieldNames()) {
      if (!key.equals("reason") && !(key.equals("withNDR") && action == MessageActions.Action.REMOVE)) {
        AdminServer.error(ctx, 400, "bad_request", "unknown key '" + key + "'; the body may only hold " + shape);
        return null;
      }
    }
    Object reason = json.getValue("reason");
    if (reason != null && !(reason instanceof String)) {
      AdminServer.error(ctx, 400, "bad_request", "\"reason\" must be a string");
      return null;
    }
    if (reason != null && ((String) reason).length() > AdminServer.MAX_REASON_LENGTH) {
      AdminServer.error(ctx, 400, "bad_request", "\"reason\" is over " + AdminServer.MAX_REASON_LENGTH
          + " characters");
      return null;
    }
    Object ndr = json.getValue("withNDR");
    if (ndr != null && !(ndr instanceof Boolean)) {
      AdminServer.error(ctx, 400, "bad_request", "\"withNDR\" must be true or false");
      return null;
    }
    String text = reason == null || ((String) reason).isBlank() ? null : ((String) reason).strip();
    return new Body(text, Boolean.TRUE.equals(ndr));
  }

  private QueueActions.Actor actor(RoutingContext ctx) {
    Administrator administrator = ctx.get(AdministratorLogin.ADMINISTRATOR);
    return new QueueActions.Actor(administrator.name(), "api",
        ctx.request().remoteAddress() == null ? null : ctx.request().remoteAddress().hostAddress(), serverName);
  }

  private static Map<String, List<String>> params(RoutingContext ctx) {
    Map<String, List<String>> params = new LinkedHashMap<>();
    for (String name : ctx.queryParams().names()) {
      params.put(name, ctx.queryParams().getAll(name));
    }
    return params;
  }

  /**
   * Runs {@code work} on a worker and answers its JSON: 200, or the status a result carries in {@code status}
   * (an error body), 409 for a refused action, 503 when Kafka did not answer.
   */
  private void blocking(RoutingContext ctx, Callable<JsonObject> work) {
    vertx.executeBlocking(work, false).onComplete(r -> {
      if (r.failed()) {
        failed(ctx, r.cause());
        return;
      }
      JsonObject body = r.result();
      Integer status = body.getValue("status") instanceof Integer i && body.containsKey("error") ? i : null;
      if (status != null) {
        body.remove("status");
        AdminServer.json(ctx, status, body);
      } else {
        AdminServer.json(ctx, 200, body);
      }
    });
  }

  private static void failed(RoutingContext ctx, Throwable cause) {
    if (cause instanceof MessageActions.Refused) {
      AdminServer.error(ctx, 409, "conflict", cause.getMessage());
    } else if (cause instanceof KafkaUnavailableException) {
      AdminServer.error(ctx, 503, "kafka_unavailable", cause.getMessage());
    } else if (cause instanceof BodyUnavailableException b) {
      AdminServer.error(ctx, b.permanent() ? 410 : 503, b.permanent() ? "body_gone" : "kafka_unavailable",
          b.getMessage());
    } else {
      AdminServer.error(ctx, 500, "internal_error", cause.toString());
    }
  }

  private static String text(Instant t) {
    return t == null ? null : t.toString();
  }
}
