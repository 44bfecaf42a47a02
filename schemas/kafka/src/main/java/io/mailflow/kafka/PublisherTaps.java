package io.mailflow.kafka;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PublisherTaps - what a {@link TopicPublisher} does besides writing, per topic: records it skips, and the taps that
 * see every record it sends (a node's Exchange-format log files). Empty for most publishers.
 */
final class PublisherTaps {
  private static final Logger LOG = LoggerFactory.getLogger(PublisherTaps.class);
  private final Map<String, List<Consumer<Object>>> taps = new ConcurrentHashMap<>();
  private final Map<String, List<Predicate<Object>>> skips = new ConcurrentHashMap<>();

  @SuppressWarnings("unchecked")
  <V extends org.apache.avro.specific.SpecificRecord> void onSend(Topic<V> topic, Consumer<? super V> tap) {
    taps.computeIfAbsent(topic.name(), t -> new CopyOnWriteArrayList<>()).add((Consumer<Object>) tap);
  }

  @SuppressWarnings("unchecked")
  <V extends org.apache.avro.specific.SpecificRecord> void skip(Topic<V> topic, Predicate<? super V> unwanted) {
    skips.computeIfAbsent(topic.name(), t -> new CopyOnWriteArrayList<>()).add((Predicate<Object>) unwanted);
  }

  boolean skipped(Topic<?> topic, Object value) {
    List<Predicate<Object>> list = skips.get(topic.name());
    if (list != null) {
      for (Predicate<Object> p : list) {
        if (p.test(value)) {
          return true;
        }
      }
    }
    return false;
  }

  void sent(Topic<?> topic, Object value) {
    List<Consumer<Object>> list = taps.get(topic.name());
    if (list == null) {
      return;
    }
    for (Consumer<Object> tap : list) {
      try {
        tap.accept(value);
      } catch (RuntimeException e) {
        LOG.warn("a tap on {} failed: {}", topic.name(), e.toString());
      }
    }
  }
}
