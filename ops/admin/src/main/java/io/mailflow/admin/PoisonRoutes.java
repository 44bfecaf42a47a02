package io.mailflow.admin;

import io.mailflow.kafka.EventEncoding;
import io.mailflow.organization.Administrator;
import io.mailflow.schemas.avro.ControlRecord;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * PoisonRoutes - the poison message queue in the admin API: {@code GET /api/v1/poison} (either role) lists what
 * the stages parked on mail.poison.v1, {@code POST /api/v1/poison/{id}/resubmit|delete} (OrganizationManagement)
 * acts on one entry through {@link PoisonActions}, as {@code mailflow poison} does. Kafka work runs on workers.
 */
final class PoisonRoutes {
  private static final String CLIENT_ID = "mailflow-admin-poison";

  private final Vertx vertx;
  private final AdministratorLogin login;
  private final String bootstrap;
  private final Duration timeout;
  private final String serverName;

  /** How the audit's tracking events are written (the organization's trackingEventFormat). */
  private final EventEncoding encoding;

  PoisonRoutes(Vertx vertx, AdministratorLogin login, String bootstrap, Duration timeout, String serverName,
      EventEncoding encoding) {
    this.encoding = encoding;
    this.vertx = vertx;
    this.login = login;
    this.bootstrap = bootstrap;
    this.timeout = timeout;
    this.serverName = serverName;
  }

  /** Adds the poison routes to the admin server's router. */
  void register(Router router) {
    router.get("/api/v1/poison").handler(login.require(false)).handler(this::list);
    router.post("/api/v1/poison/:id/resubmit").handler(login.require(true))
        .handler(ctx -> act(ctx, PoisonActions.Action.RESUBMIT));
    router.post("/api/v1/poison/:id/delete").handler(login.require(true))
        .handler(ctx -> act(ctx, PoisonActions.Action.DELETE));
  }

  /** GET /api/v1/poison[?all=true]: the parked records, oldest first; deleted ones only with all. */
  private void list(RoutingContext ctx) {
    boolean all;
    try {
      all = flag(ctx, "all");
    } catch (IllegalArgumentException e) {
      AdminServer.error(ctx, 400, "bad_request", e.getMessage());
      return;
    }
    vertx.executeBlocking(() -> PoisonQueue.list(bootstrap, all, timeout, CLIENT_ID), false).onComplete(r -> {
      if (r.failed()) {
        AdminServer.kafkaError(ctx, r.cause());
        return;
      }
      JsonArray poison = new JsonArray();
      r.result().forEach(e -> poison.add(entryJson(e)));
      AdminServer.json(ctx, 200, new JsonObject().put("poison", poison));
    });
  }

  /** POST /api/v1/poison/{id}/resubmit[?force=true] | delete, body empty or {"reason": "..."}. */
  private void act(RoutingContext ctx, PoisonActions.Action action) {
    PoisonId id;
    String reason;
    boolean force;
    try {
      id = PoisonId.parse(ctx.pathParam("id"));
      force = flag(ctx, "force");
      if (force && action != PoisonActions.Action.RESUBMIT) {
        throw new IllegalArgumentException("force applies to resubmit only; deleting twice is harmless");
      }
      reason = AdminServer.reason(ctx);
    } catch (IllegalArgumentException e) {
      AdminServer.error(ctx, 400, "bad_request", e.getMessage());
      return;
    }
    Administrator administrator = ctx.get(AdministratorLogin.ADMINISTRATOR);
    QueueActions.Actor actor = new QueueActions.Actor(administrator.name(), "api",
        ctx.request().remoteAddress() == null ? null : ctx.request().remoteAddress().hostAddress(), serverName);
    vertx.executeBlocking(() -> PoisonActions.apply(bootstrap, action, id, reason, force, actor, timeout, CLIENT_ID,
        encoding),
        false).onComplete(r -> {
          if (r.succeeded()) {
            AdminServer.json(ctx, 200, resultJson(action, r.result()));
          } else if (r.cause() instanceof PoisonActions.Unknown unknown) {
            AdminServer.error(ctx, 404, "unknown_poison", unknown.getMessage());
          } else if (r.cause() instanceof PoisonActions.Refused refused) {
            AdminServer.error(ctx, 409, "conflict", refused.getMessage());
          } else {
            AdminServer.kafkaError(ctx, r.cause());
          }
        });
  }

  /** A boolean query parameter: absent, true or false; anything else (or twice) is a bad request. */
  private static boolean flag(RoutingContext ctx, String name) {
    List<String> values = ctx.queryParam(name);
    if (values.isEmpty()) {
      return false;
    }
    if (values.size() > 1 || !(values.get(0).equals("true") || values.get(0).equals("false"))) {
      throw new IllegalArgumentException("?" + name + " is true or false, once");
    }
    return Boolean.parseBoolean(values.get(0));
  }

  static JsonObject entryJson(PoisonQueue.Entry e) {
    JsonObject json = new JsonObject().put("id", e.id().toString()).put("dateTime", e.dateTime().toString())
        .put("stage", e.stage()).put("topic", e.topic()).put("partition", e.partition()).put("offset", e.offset())
        .put("reason", e.reason()).put("key", e.key()).put("size", e.size())
        .put("networkMessageId", e.networkMessageId()).put("status", e.status().name());
    ControlRecord a = e.admin();
    if (a != null) {
      json.put("admin", new JsonObject().put("state", a.getState()).put("setBy", a.getSetBy())
          .put("setAt", a.getSetAt() == null ? null : a.getSetAt().toString()).put("reason", a.getReason()));
    }
    return json;
  }

  private static JsonObject resultJson(PoisonActions.Action action, PoisonActions.Result result) {
    ControlRecord record = result.record();
    JsonObject json = new JsonObject().put("id", result.entry().id().toString())
        .put("action", action.name().toLowerCase(Locale.ROOT)).put("state", record.getState())
        .put("setBy", record.getSetBy()).put("setAt", record.getSetAt().toString()).put("reason", record.getReason())
        .put("topic", result.entry().topic()).put("written", result.written());
    RecordMetadata back = result.resubmitted();
    if (back != null) {
      json.put("resubmittedTo", new JsonObject().put("topic", back.topic()).put("partition", back.partition())
          .put("offset", back.offset()));
    }
    return json;
  }
}
