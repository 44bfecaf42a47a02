package io.mailflow.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.kafka.embedded.SharedKafka;
import io.mailflow.schemas.avro.ControlKind;
import io.mailflow.schemas.avro.ControlRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** ControlView against a real broker: settings appear, are cleared, and a view started later knows them at once. */
class ControlViewIT {
  private static String bootstrap;
  private static TopicPublisher publisher;

  @BeforeAll
  static void topics() {
    bootstrap = SharedKafka.bootstrapServers();
    TopicProvisioner.ensureTopics(bootstrap, 2, (short) 1, Duration.ofSeconds(30));
    publisher = TopicPublisher.create(bootstrap, "control-view-it");
  }

  private static void set(ControlKind kind, String target, String state) throws Exception {
    ControlRecord record = ControlRecord.newBuilder().setKind(kind).setTarget(target).setState(state)
        .setReason("test").setSetBy("admin@test").setSetAt(Instant.now()).build();
    publisher.send(Topics.CONTROL, ControlView.key(kind, target), record).get(30, TimeUnit.SECONDS);
  }

  private static <T> T await(java.util.function.Supplier<T> value, java.util.function.Predicate<T> done) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    T v = value.get();
    while (!done.test(v) && System.nanoTime() < deadline) {
      Thread.sleep(20);
      v = value.get();
    }
    return v;
  }

  @Test
  void aSettingAppearsInEveryViewAndClearingRemovesIt() throws Exception {
    String site = "site-" + UUID.randomUUID();
    try (ControlView view = ControlView.start(bootstrap, "control-view-it-1", Duration.ofSeconds(30))) {
      List<ControlRecord> heard = new CopyOnWriteArrayList<>();
      view.onChange(heard::add);
      set(ControlKind.SITE, site, "Down");

      Optional<ControlRecord> down = await(() -> view.get(ControlKind.SITE, site), Optional::isPresent);
      assertEquals("Down", down.orElseThrow().getState());
      assertTrue(heard.stream().anyMatch(r -> site.equals(r.getTarget())), "the listener heard it");

      set(ControlKind.SITE, site, ControlView.CLEARED);
      assertTrue(await(() -> view.get(ControlKind.SITE, site), Optional::isEmpty).isEmpty(), "cleared");
    }
  }

  @Test
  void aViewStartedLaterKnowsTheStateWhenStartReturns() throws Exception {
    String queue = "SmartHostConnectorDelivery:" + UUID.randomUUID();
    set(ControlKind.QUEUE, queue, "Suspended");
    try (ControlView view = ControlView.start(bootstrap, "control-view-it-2", Duration.ofSeconds(30))) {
      assertEquals("Suspended", view.get(ControlKind.QUEUE, queue).orElseThrow().getState(),
          "read up to the end before start returned");
      assertTrue(view.get(ControlKind.SITE, queue).isEmpty(), "kinds do not mix");
    }
  }
}
