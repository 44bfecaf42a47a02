package io.mailflow.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mailflow.kafka.TopicProvisioner;
import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.Topics;
import io.mailflow.kafka.embedded.EmbeddedKafka;
import io.mailflow.organization.Administrator;
import io.mailflow.organization.PasswordHash;
import io.mailflow.schemas.avro.DeliveryItem;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * QueueListingBench - issue 10's "Measure": one queue of N waiting copies (default 100,000) on mail.delivery.v1 of
 * a fresh embedded broker, no delivery stage; times the message index's catch-up, GET /api/v1/messages' first page
 * (cold: the admin server's first answer, its index catching up; warm: the median of later answers), a sender
 * filter, and GET /api/v1/queues. Run by ops/bench/queue-listing.sh (not by the test phase: its name is no *Test or
 * *IT, and it runs only with -Dqueue.bench=true); the figures go to stdout and target/queue-listing.txt.
 */
class QueueListingBench {
  private static final String QUEUE = "SmartHostConnectorDelivery:bench.test";
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<String> figures = new ArrayList<>();

  @Test
  void listAQueueOfWaitingCopies() throws Exception {
    assumeTrue(Boolean.getBoolean("queue.bench"), "run by ops/bench/queue-listing.sh");
    int copies = Integer.getInteger("queue.bench.copies", 100_000);
    int runs = Integer.getInteger("queue.bench.runs", 7);
    Path dir = Files.createTempDirectory("queue-listing-bench");
    EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
    Vertx vertx = Vertx.vertx();
    try {
      String bootstrap = kafka.bootstrapServers();
      TopicProvisioner.ensureTopics(bootstrap, 3, (short) 1, Duration.ofSeconds(30));
      long t0 = System.nanoTime();
      write(bootstrap, copies);
      figure("write", "%d copies of ~600 B to %s (one queue): %.1f s", copies, Topics.DELIVERY.name(), secs(t0));

      Runtime rt = Runtime.getRuntime();
      System.gc();
      long heapBefore = rt.totalMemory() - rt.freeMemory();
      t0 = System.nanoTime();
      try (MessageIndex index = MessageIndex.start(bootstrap, "queue-listing-bench", Duration.ofMinutes(5))) {
        MessageIndex.Snapshot s = index.snapshot();
        double catchUp = secs(t0);
        assertEquals(copies, s.copies().size());
        System.gc();
        long heap = rt.totalMemory() - rt.freeMemory() - heapBefore;
        figure("index catch-up", "%.2f s for %d copies (%.0f copies/s), ~%d MB heap held", catchUp, copies,
            copies / catchUp, heap >> 20);
        t0 = System.nanoTime();
        index.snapshot();
        figure("index snapshot (caught up)", "%.0f ms", millis(t0));
      }

      String password = "bench";
      AdminServer server = AdminServer.start(vertx, AdminServerOptions.loopback(0)
              .withKafkaTimeout(Duration.ofMinutes(5)),
          List.of(new Administrator("bench", PasswordHash.create(password.toCharArray(), PasswordHash.MIN_ITERATIONS)
              .encoded(), Administrator.Role.OrganizationManagement)),
          new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), List.of(), bootstrap)
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      try {
        String auth = "Basic " + Base64.getEncoder().encodeToString(("bench:" + password)
            .getBytes(StandardCharsets.UTF_8));
        String firstPage = server.url() + "api/v1/messages?queue=" + QUEUE.replace(":", "%3A") + "&limit=100";
        t0 = System.nanoTime();
        JsonObject page = get(firstPage, auth);
        figure("GET first page, cold", "%.0f ms (the server's index catching up on %d copies, then the page)",
            millis(t0), copies);
        assertEquals(copies, page.getInteger("total"));
        assertEquals(100, page.getJsonArray("messages").size());
        String sender = server.url() + "api/v1/messages?sender=user7%40fabrikam.test&limit=100";
        String queues = server.url() + "api/v1/queues";
        String deep = firstPage + "&after=" + page.getString("next");
        measure("GET first page (limit 100) of " + copies, firstPage, auth, runs, copies);
        measure("GET next page (after=)", deep, auth, runs, copies);
        measure("GET sender filter (1 in 1000 match)", sender, auth, runs, copies / 1000);
        measure("GET /api/v1/queues", queues, auth, runs, -1);
      } finally {
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      kafka.close();
      Files.createDirectories(Path.of("target"));
      Files.write(Path.of("target", "queue-listing.txt"), figures);
    }
  }

  private static void write(String bootstrap, int copies) throws Exception {
    Instant start = Instant.now().minus(Duration.ofHours(2));
    try (TopicPublisher publisher = TopicPublisher.create(bootstrap, "queue-listing-bench")) {
      List<CompletableFuture<?>> inFlight = new ArrayList<>();
      for (int i = 0; i < copies; i++) {
        DeliveryItem item = QueuedCopies.item(QUEUE, String.format("copy-%07d", i), "user" + (i % 1000)
            + "@fabrikam.test", start.plusMillis(i * 50L), 0, "rcpt" + i + "@bench.test");
        inFlight.add(publisher.send(Topics.DELIVERY, QUEUE, item));
        if (inFlight.size() >= 5000) {
          CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
          inFlight.clear();
        }
      }
      CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    }
  }

  private void measure(String what, String url, String auth, int runs, int expectTotal) throws Exception {
    double[] ms = new double[runs];
    for (int i = 0; i < runs; i++) {
      long t0 = System.nanoTime();
      JsonObject answer = get(url, auth);
      ms[i] = millis(t0);
      if (expectTotal >= 0) {
        assertEquals(expectTotal, answer.getInteger("total"), url);
      }
    }
    Arrays.sort(ms);
    figure(what, "median %.0f ms, min %.0f, max %.0f (%d runs, warm)", ms[runs / 2], ms[0], ms[runs - 1], runs);
  }

  private static JsonObject get(String url, String auth) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", auth)
        .timeout(Duration.ofMinutes(5)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return new JsonObject(r.body());
  }

  private void figure(String what, String format, Object... args) {
    String line = String.format(Locale.ROOT, "queue-listing %-40s " + format, prepend(what, args));
    figures.add(line);
    System.out.println(line);
  }

  private static Object[] prepend(Object first, Object[] rest) {
    Object[] all = new Object[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }

  private static double secs(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  private static double millis(long t0) {
    return (System.nanoTime() - t0) / 1e6;
  }
}
