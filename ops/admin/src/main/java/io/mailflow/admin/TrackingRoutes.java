package io.mailflow.admin;

import io.mailflow.tracking.DeliveryReport;
import io.mailflow.tracking.FederatedTrackingSearch;
import io.mailflow.tracking.IndexStatus;
import io.mailflow.tracking.NoSuchMessageException;
import io.mailflow.tracking.TrackingPage;
import io.mailflow.tracking.TrackingQuery;
import io.mailflow.tracking.TrackingQueryException;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * TrackingRoutes - Get-MessageTrackingLog and delivery reports over HTTP, answered from the process's
 * {@link FederatedTrackingSearch} (its own cluster's index and those of the clusters other servers name). Every
 * Lucene search and reachability probe runs in {@code executeBlocking}; the event loop only parses and writes.
 */
final class TrackingRoutes {
  /** The query parameters of GET /api/v1/tracking: Get-MessageTrackingLog's, camelCase, and the page cursor. */
  static final List<String> PARAMETERS = List.of("sender", "recipients", "messageId", "networkMessageId",
      "internalMessageId", "eventId", "source", "messageSubject", "server", "reference", "start", "end",
      "resultSize", "cursor");

  private final Vertx vertx;
  private final AdministratorLogin login;
  /** Null when the process keeps no index (a test's admin server, or a node started without a data dir). */
  private final FederatedTrackingSearch tracking;

  TrackingRoutes(Vertx vertx, AdministratorLogin login, FederatedTrackingSearch tracking) {
    this.vertx = vertx;
    this.login = login;
    this.tracking = tracking;
  }

  void register(Router router) {
    router.get("/api/v1/tracking").handler(login.require(false)).handler(this::search);
    router.get("/api/v1/tracking/report").handler(login.require(false)).handler(this::report);
    router.get("/api/v1/tracking/status").handler(login.require(false)).handler(this::status);
  }

  /** GET /api/v1/tracking?sender=&recipients=&...: one page, oldest first. */
  private void search(RoutingContext ctx) {
    Map<String, List<String>> params = new LinkedHashMap<>();
    String cursor = null;
    for (String name : ctx.queryParams().names()) {
      List<String> values = ctx.queryParams().getAll(name);
      if (name.equals("cursor")) {
        if (values.size() != 1 || values.get(0).isBlank()) {
          badParameter(ctx, "cursor", "cursor takes one value: a page's next, unchanged");
          return;
        }
        cursor = values.get(0);
      } else if (!PARAMETERS.contains(name)) {
        badParameter(ctx, name, "unknown parameter '" + name + "'; use " + String.join(", ", PARAMETERS));
        return;
      } else {
        params.put(name, values);
      }
    }
    TrackingQuery query;
    try {
      query = TrackingQuery.fromParameters(params);
    } catch (TrackingQueryException e) {
      badParameter(ctx, camel(e.parameter()), e.getMessage());
      return;
    }
    String at = cursor;
    blocking(ctx, () -> {
      FederatedTrackingSearch.Answer<TrackingPage> answer = tracking.search(query, at);
      TrackingPage page = answer.value();
      return TrackingJson.withCoverage(new JsonObject().put("events", TrackingJson.events(page.events()))
          .put("next", page.next()).put("total", page.totalHits()), answer);
    });
  }

  /** GET /api/v1/tracking/report?id=: the delivery report of one message. */
  private void report(RoutingContext ctx) {
    for (String name : ctx.queryParams().names()) {
      if (!name.equals("id")) {
        badParameter(ctx, name, "unknown parameter '" + name + "'; use id (a Message-ID or a network message id)");
        return;
      }
    }
    List<String> ids = ctx.queryParams().getAll("id");
    if (ids.size() != 1 || ids.get(0).isBlank()) {
      badParameter(ctx, "id", ids.size() > 1 ? "id given " + ids.size() + " times: it takes one value"
          : "id is required: a Message-ID (with or without <>) or a network message id");
      return;
    }
    String id = ids.get(0).strip();
    blocking(ctx, () -> {
      FederatedTrackingSearch.Answer<DeliveryReport> answer = tracking.report(id);
      return TrackingJson.withCoverage(TrackingJson.report(answer.value()), answer);
    });
  }

  /** GET /api/v1/tracking/status: each cluster's index. */
  private void status(RoutingContext ctx) {
    if (!ctx.queryParams().isEmpty()) {
      String name = ctx.queryParams().names().iterator().next();
      badParameter(ctx, name, "unknown parameter '" + name + "'; status takes none");
      return;
    }
    blocking(ctx, () -> {
      FederatedTrackingSearch.Answer<Map<String, IndexStatus>> answer = tracking.status();
      JsonArray clusters = new JsonArray();
      for (FederatedTrackingSearch.Member m : tracking.members()) {
        clusters.add(TrackingJson.status(answer.value().get(m.name())).put("name", m.name())
            .put("bootstrap", m.bootstrap()).put("reachable", !answer.unreachable().contains(m.name())));
      }
      return TrackingJson.withCoverage(new JsonObject().put("clusters", clusters), answer);
    });
  }

  /** Get-MessageTrackingLog's name of a parameter as this API spells it (Sender → sender). */
  private static String camel(String parameter) {
    if (parameter == null || parameter.isEmpty()) {
      return parameter;
    }
    String bare = parameter.startsWith("-") ? parameter.substring(1) : parameter;
    return Character.toLowerCase(bare.charAt(0)) + bare.substring(1);
  }

  private static void badParameter(RoutingContext ctx, String parameter, String message) {
    AdminServer.json(ctx, 400, new JsonObject().put("error", "bad_request").put("parameter", parameter)
        .put("message", message));
  }

  private void blocking(RoutingContext ctx, Callable<JsonObject> work) {
    if (tracking == null) {
      AdminServer.error(ctx, 503, "tracking_unavailable", "this process keeps no message-tracking index");
      return;
    }
    vertx.executeBlocking(work, false).onComplete(r -> {
      if (r.succeeded()) {
        AdminServer.json(ctx, 200, r.result());
      } else if (r.cause() instanceof NoSuchMessageException unknown) {
        AdminServer.json(ctx, 404, new JsonObject().put("error", "unknown_message").put("id", unknown.id())
            .put("message", unknown.getMessage()));
      } else if (r.cause() instanceof TrackingQueryException bad) {
        badParameter(ctx, camel(bad.parameter()), bad.getMessage());
      } else {
        AdminServer.error(ctx, 500, "internal_error", r.cause().toString());
      }
    });
  }
}
