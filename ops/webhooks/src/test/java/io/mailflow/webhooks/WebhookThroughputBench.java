package io.mailflow.webhooks;

import static org.awaitility.Awaitility.await;

import io.mailflow.kafka.StageLoop;
import io.mailflow.kafka.TopicProvisioner;
import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.Topics;
import io.mailflow.kafka.embedded.SharedKafka;
import io.mailflow.organization.Webhook;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * WebhookThroughputBench - ops/bench/webhooks.sh: notifications per second from mail.tracking.v1 to a receiver on
 * 127.0.0.1 that answers 204 at once (steady), and how long a backlog takes to drain once a receiver that was not
 * listening listens again (outage). Not a test: run only with -Dwebhook.bench=true.
 */
@EnabledIfSystemProperty(named = "webhook.bench", matches = "true")
class WebhookThroughputBench {
  private static final String SECRET = "0123456789abcdef0123456789abcdef";

  @Test
  void measure() throws Exception {
    int n = Integer.getInteger("webhook.bench.notifications", 5000);
    String bootstrap = SharedKafka.bootstrapServers();
    TopicProvisioner.ensureTopics(bootstrap, 3, (short) 1, Duration.ofSeconds(30));
    List<String> lines = new ArrayList<>();
    try (TopicPublisher publisher = TopicPublisher.create(bootstrap, "webhook-bench")) {
      lines.add(steady(bootstrap, publisher, n));
      lines.addAll(outage(bootstrap, publisher, n));
    }
    Path out = Path.of("target", "webhooks-bench.txt");
    Files.write(out, lines);
    lines.forEach(System.out::println);
  }

  private Webhooks start(String bootstrap, Receiver receiver, String name, SimpleMeterRegistry meters) {
    Webhook hook = new Webhook(name, receiver.url(), "bench.secret", SECRET, EnumSet.allOf(Webhook.Event.class),
        Duration.ofSeconds(10), Duration.ofHours(24), true, false);
    return Webhooks.start(bootstrap, List.of(hook), StageLoop.Options.defaults().withMeters(meters), true,
        WebhookEndpoint.Options.defaults());
  }

  private static void publish(TopicPublisher publisher, String run, int n) throws Exception {
    List<CompletableFuture<?>> acks = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String nmid = run + "-" + i;
      acks.add(publisher.send(Topics.TRACKING, nmid, TrackingEvents.deliver(nmid, "bob@contoso.test")));
    }
    CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
  }

  private String steady(String bootstrap, TopicPublisher publisher, int n) throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    String run = "steady-" + UUID.randomUUID().toString().substring(0, 8);
    try (Receiver receiver = new Receiver(); Webhooks hooks = start(bootstrap, receiver, run, meters)) {
      receiver.answer(204);
      long start = System.nanoTime();
      publish(publisher, run, n);
      await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(20))
          .until(() -> receiver.accepted().size() >= n);
      double seconds = (System.nanoTime() - start) / 1e9;
      Timer latency = meters.get("mailflow.webhook.latency").timer();
      return String.format("webhooks steady       %d notifications in %.2f s: %.0f notifications/s; POST answered in "
          + "mean %.2f ms, max %.1f ms (8 in flight, receiver answers 204 at once)", n, seconds, n / seconds,
          latency.mean(TimeUnit.MILLISECONDS), latency.max(TimeUnit.MILLISECONDS));
    }
  }

  private List<String> outage(String bootstrap, TopicPublisher publisher, int n) throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    String run = "outage-" + UUID.randomUUID().toString().substring(0, 8);
    try (Receiver receiver = new Receiver(); Webhooks hooks = start(bootstrap, receiver, run, meters)) {
      receiver.stopListening();
      long downAt = System.nanoTime();
      publish(publisher, run, n);
      await().atMost(Duration.ofMinutes(5)).until(() -> hooks.stages().get(0).pending() >= Math.min(n, 2000));
      Thread.sleep(20_000); // let the endpoint's probe backoff grow as it does in a real outage
      double retried = meters.get("mailflow.webhook.notifications").tag("event", "delivered").tag("outcome", "retried")
          .counter().count();
      int pendingDown = hooks.stages().get(0).pending();
      receiver.listenAgain();
      long back = System.nanoTime();
      await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(20))
          .until(() -> !receiver.accepted().isEmpty());
      double firstAfter = (System.nanoTime() - back) / 1e9;
      await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(20))
          .until(() -> receiver.accepted().stream().map(Receiver.Post::id).distinct().count() >= n);
      double drained = (System.nanoTime() - back) / 1e9;
      return List.of(
          String.format("webhooks outage       down %.0f s: %d notifications pending in memory (the rest in Kafka), "
              + "%.0f failed attempts (probes)", (back - downAt) / 1e9, pendingDown, retried),
          String.format("webhooks back         first 2xx %.2f s after the receiver listened again (the next probe), "
              + "all %d distinct ids answered after %.2f s; %d POSTs in all", firstAfter, n, drained,
              receiver.posts.size()));
    }
  }
}
