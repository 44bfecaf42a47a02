package io.mailflow.admin;

import io.mailflow.kafka.ControlView;
import io.mailflow.kafka.TopicReader;
import io.mailflow.kafka.Topics;
import io.mailflow.organization.PasswordHash;
import io.mailflow.schemas.avro.ControlKind;
import io.mailflow.schemas.avro.ControlRecord;
import io.mailflow.schemas.avro.TrackingEvent;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * AdminTestKit - what the admin server's tests share: a Vert.x whose blocked event loops are reported, credentials,
 * HTTP calls against a server's URL, and what an action left on mail.control.v1 and mail.tracking.v1.
 */
final class AdminTestKit {
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private AdminTestKit() {}

  /**
   * A Vert.x that reports every event loop blocked over 100 ms (checked every 20 ms) to {@code blocked}, with the
   * thread (its stack says where): the admin server must never wait on an event loop.
   */
  static Vertx watched(Consumer<Thread> blocked) {
    Vertx vertx = Vertx.vertx(new VertxOptions().setMaxEventLoopExecuteTime(100)
        .setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS).setBlockedThreadCheckInterval(20)
        .setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS));
    ((VertxInternal) vertx).blockedThreadChecker().setThreadBlockedHandler(event -> {
      if (event.thread().getName().startsWith("vert.x-eventloop")) {
        blocked.accept(event.thread());
      }
    });
    return vertx;
  }

  /** A hash at the fewest iterations allowed: tests log in often. */
  static String hash(String password) {
    return PasswordHash.create(password.toCharArray(), PasswordHash.MIN_ITERATIONS).encoded();
  }

  static String basic(String name, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((name + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  /** GET {@code path} (starting with /) of the server at {@code url}, with {@code authorization} unless null. */
  static HttpResponse<String> get(String url, String path, String authorization) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path.substring(1)))
        .timeout(Duration.ofSeconds(60)).GET();
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** POST a JSON {@code body} (or none) to {@code path} of the server at {@code url}. */
  static HttpResponse<String> post(String url, String path, String authorization, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path.substring(1)))
        .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
        .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The setting in force on mail.control.v1 for {@code target}, or null. */
  static ControlRecord setting(String bootstrap, ControlKind kind, String target) {
    try (ControlView view = ControlView.start(bootstrap, "admin-test-kit", Duration.ofSeconds(15))) {
      return view.get(kind, target).orElse(null);
    }
  }

  /** The ADMIN tracking events keyed {@code key}, in the order written (the topic is keyed by it). */
  static List<TrackingEvent> adminEvents(String bootstrap, String key) {
    List<TrackingEvent> events = new ArrayList<>();
    try (TopicReader<TrackingEvent> reader = TopicReader.between(bootstrap, Topics.TRACKING, Instant.EPOCH,
        Instant.now(), Duration.ofSeconds(15))) {
      while (!reader.finished()) {
        for (TopicReader.Entry<TrackingEvent> e : reader.poll(Duration.ofMillis(200))) {
          if (e.decoded() && "ADMIN".equals(e.value().getSource()) && key.equals(e.key())) {
            events.add(e.value());
          }
        }
      }
    }
    return events;
  }
}
