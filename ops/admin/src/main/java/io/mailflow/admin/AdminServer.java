package io.mailflow.admin;

import io.mailflow.kafka.KafkaUnavailableException;
import io.mailflow.organization.Administrator;
import io.mailflow.schemas.avro.ControlRecord;
import io.mailflow.tracking.FederatedTrackingSearch;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.List;
import java.util.Locale;

/**
 * AdminServer - the HTTP server every mailflow process runs beside its stages: health for orchestrators,
 * Prometheus metrics, and the admin API (Get-Queue, Suspend-/Resume-/Retry-Queue; Get-QueueDigest, Get-Message,
 * Export-Message and the message actions in {@link MessageRoutes}) for administrators of the organization.
 * Everything that blocks (password hashes, Kafka, readiness probes, the scrape) runs on worker
 * threads; the event loop only routes and writes. {@link #routes} lists every route in one place.
 */
public final class AdminServer {
  /** The Prometheus text format Micrometer's registry writes. */
  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
  static final int MAX_REASON_LENGTH = 500;
  /** Requests answered, tagged {@code status} = 2xx, 4xx, 5xx (Prometheus: {@code mailflow_admin_requests_total}). */
  public static final String REQUESTS_METER = "mailflow.admin.requests";
  private static final String CLIENT_ID = "mailflow-admin-api";
  /** The OpenAPI document of every route, a resource beside this class; OpenApiDocumentIT keeps it true. */
  static final String OPENAPI_RESOURCE = "openapi.json";
  static final String OPENAPI_PATH = "/api/v1/openapi.json";
  private static final Buffer OPENAPI = openApi();

  private final Vertx vertx;
  private final AdminServerOptions options;
  private final PrometheusMeterRegistry meters;
  private final List<ReadinessCheck> readiness;
  private final String bootstrap;
  private final AdministratorLogin login;
  /** The web console's logins (in this process's memory). */
  private final Sessions sessions = new Sessions(Clock.systemUTC());
  /** server-hostname of the audit's tracking events: resolved once, not per action. */
  private final String serverName;
  private HttpServer server;
  private Router router;
  /** Queues and messages, from this process's one MessageIndex, running while administrators ask (OnDemand). */
  private MessageRoutes messages;
  /** Message tracking: the node's indexes (always running, owned and closed here), or null when it keeps none. */
  private FederatedTrackingSearch tracking;

  private AdminServer(Vertx vertx, AdminServerOptions options, List<Administrator> administrators,
      PrometheusMeterRegistry meters, List<ReadinessCheck> readiness, String bootstrap) {
    this.vertx = vertx;
    this.options = options;
    this.serverName = options.serverName() != null ? options.serverName() : QueueActions.thisMachine();
    this.meters = meters;
    this.readiness = List.copyOf(readiness);
    this.bootstrap = bootstrap;
    this.login = new AdministratorLogin(vertx, administrators, new LoginThrottle(Clock.systemUTC()), sessions,
        options.tls());
  }

  /**
   * Starts listening; the future fails when the port cannot be bound or the certificate cannot be read. Makes one
   * decoy password hash first (as slow as the administrators' own), so call it off any event loop.
   *
   * @param administrators who may log in (the organization's {@code administrators})
   * @param meters the process's one registry, scraped by {@code GET /metrics}
   * @param readiness what {@code GET /health/ready} checks
   * @param bootstrap the Kafka cluster the queue API reads and writes
   */
  public static Future<AdminServer> start(Vertx vertx, AdminServerOptions options, List<Administrator> administrators,
      PrometheusMeterRegistry meters, List<ReadinessCheck> readiness, String bootstrap) {
    return start(vertx, options, administrators, meters, readiness, bootstrap, null);
  }

  /**
   * As above, with the node's message-tracking search behind {@code /api/v1/tracking} (null: those routes answer
   * 503 {@code tracking_unavailable}). The server closes it when it closes, or when it cannot listen.
   */
  public static Future<AdminServer> start(Vertx vertx, AdminServerOptions options, List<Administrator> administrators,
      PrometheusMeterRegistry meters, List<ReadinessCheck> readiness, String bootstrap,
      FederatedTrackingSearch tracking) {
    AdminServer admin;
    try {
      admin = new AdminServer(vertx, options, administrators, meters, readiness, bootstrap);
    } catch (RuntimeException e) {
      if (tracking != null) {
        tracking.close();
      }
      return Future.failedFuture(e);
    }
    admin.tracking = tracking;
    // no h2c upgrade: clients that ask for one (Java's HttpClient does by default, curl --http2) got answers
    // that were half HTTP/1.1 and half HTTP/2 now and then; the API and the console need nothing of HTTP/2
    HttpServerOptions http = new HttpServerOptions().setHost(options.bindAddress()).setPort(options.port())
        .setHttp2ClearTextEnabled(false);
    if (options.tls()) {
      http.setSsl(true).setKeyCertOptions(new PemKeyCertOptions().setCertPath(options.certFile().toString())
          .setKeyPath(options.keyFile().toString()));
    }
    admin.messages = new MessageRoutes(vertx, bootstrap, options.kafkaTimeout(), admin.serverName, admin.login,
        options.eventEncoding());
    admin.messages.useTracking(tracking);
    admin.router = admin.routes();
    return vertx.createHttpServer(http).requestHandler(admin.router).listen().map(s -> {
      admin.server = s;
      return admin;
    }).recover(e -> {
      admin.messages.close();
      if (tracking != null) {
        tracking.close();
      }
      return Future.failedFuture(new IllegalStateException("admin server cannot listen on "
        + options.bindAddress() + ":" + options.port() + ": " + e.getMessage(), e));
    });
  }

  /** Every route, in one place. */
  private Router routes() {
    Router router = Router.router(vertx);
    // the admin server's own meter: answers by status class (a refused login shows as 4xx)
    router.route().handler(ctx -> {
      ctx.addEndHandler(done -> meters.counter(REQUESTS_METER, "status",
          ctx.response().getStatusCode() / 100 + "xx").increment());
      ctx.next();
    });
    // a body is at most a reason: refuse more before buffering it (413), and never write uploads to disk
    router.route().handler(BodyHandler.create(false).setBodyLimit(AdminServerOptions.BODY_LIMIT));
    router.get("/health/live").handler(ctx -> json(ctx, 200, new JsonObject().put("status", "live")));
    router.get("/health/ready").handler(this::ready);
    if (options.metricsRequireLogin()) {
      router.get("/metrics").handler(login.require(false));
    }
    router.get("/metrics").handler(this::metrics);
    messages.register(router); // GET queues, digest, messages; message actions
    router.post("/api/v1/queues/:identity/:action").handler(login.require(true)).handler(this::queueAction);
    new PoisonRoutes(vertx, login, bootstrap, options.kafkaTimeout(), serverName, options.eventEncoding())
        .register(router); // poison queue
    new TrackingRoutes(vertx, login, tracking).register(router); // Get-MessageTrackingLog, delivery reports
    // unauthenticated, like /health: it describes the API and holds nothing of the organization
    router.get(OPENAPI_PATH).handler(ctx -> ctx.response().putHeader("Content-Type", "application/json; charset=utf-8")
        .end(OPENAPI));
    // the web console: login form, session, static page (ConsoleRoutes lists its own routes)
    new ConsoleRoutes(login, sessions, options.tls()).register(router);

    router.errorHandler(404, ctx -> error(ctx, 404, "not_found", "no such resource: " + ctx.request().path()));
    router.errorHandler(405, ctx -> error(ctx, 405, "method_not_allowed",
        ctx.request().method() + " is not allowed on " + ctx.request().path()));
    router.errorHandler(413, ctx -> error(ctx, 413, "body_too_large",
        "request body over " + AdminServerOptions.BODY_LIMIT + " bytes"));
    router.errorHandler(500, ctx -> error(ctx, 500, "internal_error",
        ctx.failure() == null ? "internal error" : ctx.failure().toString()));
    return router;
  }

  /** The routes served (for OpenApiDocumentIT, which compares them with the document). */
  Router router() {
    return router;
  }

  private static Buffer openApi() {
    try (InputStream in = AdminServer.class.getResourceAsStream(OPENAPI_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("resource " + OPENAPI_RESOURCE + " is missing beside AdminServer");
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * GET /health/ready: every check on a worker, 200 only when all pass (status {@code degraded} when one passes only
   * in part); the body names each and why.
   */
  private void ready(RoutingContext ctx) {
    vertx.executeBlocking(() -> {
      JsonObject checks = new JsonObject();
      boolean all = true;
      boolean degraded = false;
      for (ReadinessCheck check : readiness) {
        ReadinessCheck.Result result;
        try {
          result = check.check();
        } catch (RuntimeException e) {
          result = ReadinessCheck.Result.failed(e.toString());
        }
        all &= result.ready();
        degraded |= result.degraded();
        JsonObject each = new JsonObject().put("ready", result.ready()).put("detail", result.detail());
        checks.put(check.name(), result.degraded() ? each.put("degraded", true) : each);
      }
      return new JsonObject().put("status", !all ? "not ready" : degraded ? "degraded" : "ready").put("checks", checks);
    }, false).onComplete(r -> {
      if (r.failed()) {
        error(ctx, 503, "not_ready", r.cause().toString());
      } else {
        json(ctx, "not ready".equals(r.result().getString("status")) ? 503 : 200, r.result());
      }
    });
  }

  /** GET /metrics: the registry's Prometheus text, written on a worker (a scrape walks every meter). */
  private void metrics(RoutingContext ctx) {
    vertx.executeBlocking(meters::scrape, false).onComplete(r -> {
      if (r.failed()) {
        error(ctx, 500, "internal_error", r.cause().toString());
      } else {
        ctx.response().putHeader("Content-Type", PROMETHEUS_TEXT).end(r.result());
      }
    });
  }

  /** POST /api/v1/queues/{identity}/suspend|resume|retry, body {"reason": "..."} (optional). */
  private void queueAction(RoutingContext ctx) {
    QueueActions.Action action;
    try {
      action = QueueActions.Action.valueOf(ctx.pathParam("action").toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      error(ctx, 404, "not_found", "no queue action '" + ctx.pathParam("action") + "'; use suspend, resume or retry");
      return;
    }
    String identity = ctx.pathParam("identity");
    int backslash = identity.indexOf('\\');
    String key = backslash >= 0 ? identity.substring(backslash + 1) : identity; // server\key as listed, or the key
    String reason;
    try {
      reason = reason(ctx);
    } catch (IllegalArgumentException e) {
      error(ctx, 400, "bad_request", e.getMessage());
      return;
    }
    Administrator administrator = ctx.get(AdministratorLogin.ADMINISTRATOR);
    QueueActions.Actor actor = new QueueActions.Actor(administrator.name(), "api",
        ctx.request().remoteAddress() == null ? null : ctx.request().remoteAddress().hostAddress(), serverName);
    vertx.executeBlocking(() -> {
      if (QueueView.row(QueueView.rows(messages.index().snapshot()), key) == null) {
        return null;
      }
      return QueueActions.apply(bootstrap, action, key, reason, actor, options.kafkaTimeout(),
          CLIENT_ID, options.eventEncoding());
    }, false).onComplete(r -> {
      if (r.failed()) {
        if (r.cause() instanceof QueueActions.Refused refused) {
          error(ctx, 409, "conflict", refused.getMessage());
        } else {
          kafkaError(ctx, r.cause());
        }
      } else if (r.result() == null) {
        error(ctx, 404, "unknown_queue", "no queue '" + key + "'; GET /api/v1/queues lists them");
      } else {
        ControlRecord record = r.result();
        json(ctx, 200, new JsonObject().put("queue", key).put("action", action.name().toLowerCase(Locale.ROOT))
            .put("state", record.getState()).put("setBy", record.getSetBy())
            .put("setAt", record.getSetAt().toString()).put("reason", record.getReason()));
      }
    });
  }

  /** The optional reason of an action body: empty body, or a JSON object with at most a string "reason". */
  static String reason(RoutingContext ctx) {
    if (ctx.body() == null || ctx.body().buffer() == null || ctx.body().length() <= 0) {
      return null;
    }
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      throw new IllegalArgumentException("the body must be a JSON object such as {\"reason\": \"...\"}");
    }
    if (body == null) {
      throw new IllegalArgumentException("the body must be a JSON object such as {\"reason\": \"...\"}");
    }
    for (String key : body.fieldNames()) {
      if (!key.equals("reason")) {
        throw new IllegalArgumentException("unknown key '" + key + "'; the body may only hold \"reason\"");
      }
    }
    Object reason = body.getValue("reason");
    if (reason == null) {
      return null;
    }
    if (!(reason instanceof String text)) {
      throw new IllegalArgumentException("\"reason\" must be a string");
    }
    if (text.length() > MAX_REASON_LENGTH) {
      throw new IllegalArgumentException("\"reason\" is over " + MAX_REASON_LENGTH + " characters");
    }
    return text.isBlank() ? null : text.strip();
  }

  static void kafkaError(RoutingContext ctx, Throwable cause) {
    if (cause instanceof KafkaUnavailableException) {
      error(ctx, 503, "kafka_unavailable", cause.getMessage());
    } else {
      error(ctx, 500, "internal_error", cause.toString());
    }
  }

  static void json(RoutingContext ctx, int status, JsonObject body) {
    if (ctx.response().ended()) {
      return;
    }
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json; charset=utf-8")
        .putHeader("Cache-Control", "no-store").end(body.encodePrettily() + "\n");
  }

  /** A JSON error body: {"error": code, "message": what was wrong}. */
  static void error(RoutingContext ctx, int status, String code, String message) {
    json(ctx, status, new JsonObject().put("error", code).put("message", message));
  }

  /** Whether the message index runs now: only after an administrator asked about queues or messages. */
  boolean messageIndexRunning() {
    return messages.indexRunning();
  }

  /** The port listened on (the one chosen when 0 was asked). */
  public int port() {
    return server.actualPort();
  }

  /** {@code http(s)://address:port/}, as printed at start. */
  public String url() {
    String host = options.bindAddress().contains(":") ? "[" + options.bindAddress() + "]" : options.bindAddress();
    return (options.tls() ? "https" : "http") + "://" + host + ":" + port() + "/";
  }

  public Future<Void> close() {
    readiness.forEach(check -> {
      if (check instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (Exception ignored) {
          // closing a probe's client: nothing to do about it
        }
      }
    });
    if (messages != null) {
      messages.close();
    }
    if (tracking != null) {
      FederatedTrackingSearch t = tracking;
      tracking = null;
      // closing commits the index: a disk write, off the event loop
      return vertx.executeBlocking(() -> {
        t.close();
        return null;
      }, false).transform(x -> server == null ? Future.succeededFuture() : server.close());
    }
    return server == null ? Future.succeededFuture() : server.close();
  }

}
