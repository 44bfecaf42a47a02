package io.mailflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.admin.AdminServer;
import io.mailflow.admin.AdminServerOptions;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin server with the node's self-signed certificate (what a non-loopback bind gets; tested on
 * 127.0.0.1, since tests touch loopback only): HTTPS answers a client trusting exactly that certificate, and
 * plain HTTP gets no answer.
 */
class AdminServerTlsIT {
  @TempDir Path dir;

  @Test
  void servesHttpsWithTheNodesCertificate() throws Exception {
    SelfSignedCertificate.Result cert = SelfSignedCertificate.ensure(dir.resolve("tls"), List.of("ex01.contoso.test"));
    Vertx vertx = Vertx.vertx();
    try {
      AdminServerOptions options = new AdminServerOptions("127.0.0.1", 0, Path.of(cert.certificate().certFile()),
          Path.of(cert.certificate().keyFile()), false, Duration.ofSeconds(5), "EX01");
      AdminServer server = AdminServer.start(vertx, options, List.of(),
          new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), List.of(), "127.0.0.1:1")
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertTrue(server.url().startsWith("https://127.0.0.1:"), server.url());

      HttpClient https = HttpClient.newBuilder().sslContext(TrustedCertificate.only(Path.of(cert.certificate().certFile())))
          .connectTimeout(Duration.ofSeconds(5)).build();
      HttpResponse<String> live = https.send(HttpRequest.newBuilder(URI.create(server.url() + "health/live")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, live.statusCode());

      HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      URI http = URI.create(server.url().replace("https:", "http:") + "health/live");
      assertThrows(IOException.class, () -> plain.send(HttpRequest.newBuilder(http).timeout(Duration.ofSeconds(5))
          .build(), HttpResponse.BodyHandlers.ofString()), "no plain HTTP on the HTTPS port");
      server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
