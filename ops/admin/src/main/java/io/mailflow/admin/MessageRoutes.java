package io.mailflow.admin;

import io.mailflow.delivery.agent.body.BodyUnavailableException;
import io.mailflow.kafka.EventEncoding;
import io.mailflow.kafka.KafkaUnavailableException;
import io.mailflow.organization.Administrator;
import io.mailflow.schemas.avro.ControlRecord;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
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
  /** The node's message-tracking indexes, for a message's timeline; null when it keeps none. */
  private io.mailflow.tracking.FederatedTrackingSearch tracking;
  /** Runs only while administrators look at queues: a process nobody asks pays nothing for it. */
  private final OnDemand<MessageIndex> index;

  /** How the audit's tracking events are written (the organization's trackingEventFormat). */
  private final EventEncoding encoding;

  MessageRoutes(Vertx vertx, String bootstrap, Duration timeout, String serverName, AdministratorLogin login,
      EventEncoding encoding) {
    this.encoding = encoding;
    this.vertx = vertx;
    this.bootstrap = bootstrap;
    this.timeout = timeout;
    this.serverName = serverName;
    this.login = login;
    this.index = new OnDemand<>("message-index",
        () -> MessageIndex.start(bootstrap, "mailflow-admin-index", timeout), OnDemand.DEFAULT_IDLE);
    // the JSON codec's first use loads Jackson (100-200 ms of class loading): here, off any event loop, rather
    // than in the first request body parsed on one
    new JsonObject("{\"warm\": [1]}").encodePrettily();
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

  /** The tracking indexes the detail's timeline is read from (instead of scanning mail.tracking.v1). */
  void useTracking(io.mailflow.tracking.FederatedTrackingSearch search) {
    this.tracking = search;
  }

  void close() {
    index.close();
  }

  /** The index, started now if nobody asked for it in the last {@link OnDemand#DEFAULT_IDLE}. */
  MessageIndex index() {
    return index.get();
  }

  /** Whether the index runs now (tests). */
  boolean indexRunning() {
    return index.isRunning();
  }

  /** GET /api/v1/queues: Get-Queue with the index's counts. */
  private void listQueues(RoutingContext ctx) {
    blocking(ctx, () -> {
      MessageIndex.Snapshot s = index().snapshot();
      JsonArray queues = new JsonArray();
      QueueView.rows(s).forEach(r -> queues.add(MessageJson.queueJson(r, s.at())));
      return new JsonObject().put("queues", queues);
    });
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
    blocking(ctx, () -> MessageJson.digestJson(QueueView.digest(index().snapshot(), groupBy), groupBy));
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
    blocking(ctx, () -> MessageJson.page(index().snapshot(), query));
  }



  /** GET /api/v1/messages/{id}: the list item plus the envelope, the headers and the tracking events. */
  private void showMessage(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    blocking(ctx, () -> {
      MessageIndex.Snapshot s = index().snapshot();
      return s.copy(id) == null ? notFound(s, id) : MessageJson.detail(bootstrap, s, s.copy(id), timeout,
          tracking);
    });
  }

  /** GET /api/v1/messages/{id}/raw: Export-Message, the .eml. */
  private void export(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    vertx.executeBlocking(() -> {
      MessageIndex.Snapshot s = index().snapshot();
      MessageIndex.Copy c = s.copy(id);
      if (c == null) {
        return notFound(s, id);
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
  private static JsonObject notFound(MessageIndex.Snapshot s, String id) {
    return new JsonObject().put("status", 404).put("error", "unknown_message")
        .put("message", MessageActions.unknown(s, id));
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
      ControlRecord record = MessageActions.applyTo(bootstrap, index().snapshot(), action, id, body.reason(),
          body.withNdr(), actor, timeout, CLIENT_ID, encoding);
      return MessageJson.actionResult(id, action, record);
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
      List<MessageIndex.Copy> targets = MessageActions.targets(index().snapshot(), action, query);
      MessageActions.apply(bootstrap, action, targets, body.reason(), body.withNdr(), actor, timeout, CLIENT_ID,
          encoding);
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
    if (cause instanceof MessageActions.Unknown) {
      AdminServer.error(ctx, 404, "unknown_message", cause.getMessage());
    } else if (cause instanceof MessageActions.Refused) {
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
