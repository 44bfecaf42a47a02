package io.mailflow.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document stays true: the routes AdminServer's Router serves under /api, /health and /metrics are
 * exactly the documented operations (read from the router, not from a list in this test), the document is
 * OpenAPI 3 JSON whose references resolve, and the server hands it out without credentials.
 */
class OpenApiDocumentIT {
  private static final Set<String> OPERATION_KEYS = Set.of("get", "put", "post", "delete", "options", "head", "patch",
      "trace");
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static Vertx vertx;
  private static AdminServer server;
  private static JsonObject document;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    // metrics behind a login: the server then registers every route it can serve; no broker is needed
    server = AdminServer.start(vertx, AdminServerOptions.loopback(0).withMetricsRequireLogin(true), List.of(),
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), List.of(), "127.0.0.1:1")
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    try (InputStream in = AdminServer.class.getResourceAsStream(AdminServer.OPENAPI_RESOURCE)) {
      assertNotNull(in, "the document is a resource beside AdminServer");
      document = new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** "METHOD /path/{param}" for every route the router serves under /api, /health, /metrics, and the login routes. */
  private static Set<String> servedOperations() {
    Set<String> served = new TreeSet<>();
    for (Route route : server.router().getRoutes()) {
      String path = route.getPath();
      if (path == null || !(path.startsWith("/api") || path.startsWith("/health") || path.startsWith("/metrics")
          || path.equals("/login") || path.equals("/logout"))) {
        continue; // the handlers every request passes (the request meter, the body limit), the console's page
      }
      Set<HttpMethod> methods = route.methods();
      assertTrue(methods != null && !methods.isEmpty(), "route " + path + " takes any method: document each");
      String openApiPath = path.replaceAll(":([A-Za-z0-9_]+)", "{$1}");
      methods.forEach(m -> served.add(m.name() + " " + openApiPath));
    }
    return served;
  }

  private static Set<String> documentedOperations() {
    Set<String> documented = new TreeSet<>();
    JsonObject paths = document.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      for (String key : paths.getJsonObject(path).fieldNames()) {
        if (OPERATION_KEYS.contains(key)) {
          documented.add(key.toUpperCase(Locale.ROOT) + " " + path);
        }
      }
    }
    return documented;
  }

  @Test
  void everyServedRouteIsDocumentedAndEveryDocumentedOperationServed() {
    Set<String> served = servedOperations();
    assertTrue(served.contains("POST /api/v1/queues/{identity}/{action}"), "routes were read: " + served);
    assertEquals(served, documentedOperations(), "got the documented operations, want the router's routes");
  }

  @Test
  void theDocumentIsOpenApi3WithItsRequiredFields() {
    assertTrue(document.getString("openapi", "").matches("3\\.[01]\\.\\d+"), "openapi: " + document.getString("openapi"));
    assertFalse(document.getJsonObject("info").getString("title", "").isBlank());
    assertFalse(document.getJsonObject("info").getString("version", "").isBlank());
    assertFalse(document.getJsonObject("paths").isEmpty());
    JsonObject schemes = document.getJsonObject("components").getJsonObject("securitySchemes");
    assertEquals("basic", schemes.getJsonObject("basic").getString("scheme"));
    assertEquals("bearer", schemes.getJsonObject("bearer").getString("scheme"));
    assertEquals(new JsonArray().add("error").add("message"),
        document.getJsonObject("components").getJsonObject("schemas").getJsonObject("Error").getJsonArray("required"));
  }

  @Test
  void everyReferenceResolves() {
    List<String> refs = new ArrayList<>();
    collectRefs(document, refs);
    assertTrue(refs.size() > 10, refs.toString());
    for (String ref : refs) {
      assertTrue(ref.startsWith("#/"), "a local reference: " + ref);
      Object at = document;
      for (String part : ref.substring(2).split("/")) {
        assertTrue(at instanceof JsonObject o && o.containsKey(part), "got no " + part + " on the way to " + ref);
        at = ((JsonObject) at).getValue(part);
      }
    }
  }

  private static void collectRefs(Object node, List<String> refs) {
    if (node instanceof JsonObject o) {
      o.forEach(e -> {
        if (e.getKey().equals("$ref")) {
          refs.add((String) e.getValue());
        } else {
          collectRefs(e.getValue(), refs);
        }
      });
    } else if (node instanceof JsonArray a) {
      a.forEach(v -> collectRefs(v, refs));
    }
  }

  @Test
  void theDocumentedActionsAreTheQueueActionsAndTheApiNeedsALogin() {
    JsonObject action = document.getJsonObject("paths").getJsonObject("/api/v1/queues/{identity}/{action}")
        .getJsonObject("post");
    JsonArray documented = action.getJsonArray("parameters").stream().map(JsonObject.class::cast)
        .filter(p -> "action".equals(p.getString("name"))).findFirst().orElseThrow()
        .getJsonObject("schema").getJsonArray("enum");
    assertEquals(new JsonArray(Arrays.stream(QueueActions.Action.values())
        .map(a -> a.name().toLowerCase(Locale.ROOT)).toList()), documented);
    for (String code : List.of("401", "403", "409", "413", "429", "503")) {
      assertTrue(action.getJsonObject("responses").containsKey(code), "the action documents " + code);
    }
    JsonArray security = document.getJsonArray("security");
    assertEquals(Set.of("basic"), security.getJsonObject(0).fieldNames(), "by default Basic ...");
    assertEquals(Set.of("bearer"), security.getJsonObject(1).fieldNames(), "... or Bearer");
    assertEquals(Set.of("session"), security.getJsonObject(2).fieldNames(), "... or the console's session cookie");
    assertFalse(document.getJsonObject("paths").getJsonObject("/api/v1/queues").getJsonObject("get")
        .containsKey("security"), "Get-Queue inherits the document's Basic or Bearer");
  }

  @Test
  void theServerHandsOutTheDocumentWithoutCredentials() throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(server.url()
        + AdminServer.OPENAPI_PATH.substring(1))).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), response.body());
    assertTrue(response.headers().firstValue("Content-Type").orElseThrow().startsWith("application/json"));
    assertEquals(document, new JsonObject(response.body()));
  }
}
