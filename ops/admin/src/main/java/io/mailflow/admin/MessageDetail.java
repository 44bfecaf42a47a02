package io.mailflow.admin;

import io.mailflow.delivery.agent.body.BodyChunks;
import io.mailflow.delivery.agent.body.ContentStream;
import io.mailflow.delivery.agent.body.MessageSource;
import io.mailflow.delivery.agent.body.ReferencedMessage;
import io.mailflow.kafka.KafkaClientConfig;
import io.mailflow.kafka.KafkaUnavailableException;
import io.mailflow.kafka.Topic;
import io.mailflow.kafka.TopicReader;
import io.mailflow.kafka.Topics;
import io.mailflow.schemas.avro.BodyReference;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.InlineBody;
import io.mailflow.schemas.avro.TrackingEvent;
import io.mailflow.schemas.codec.UndecodableRecordException;
import io.mailflow.tracking.FederatedTrackingSearch;
import io.mailflow.tracking.IndexStatus;
import io.mailflow.tracking.TrackingQuery;
import io.mailflow.tracking.TrackingSearch;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;

/**
 * MessageDetail - what Get-Message's detail and Export-Message read on demand for one queued copy: its record
 * (where the index saw it last), the header section of its body, its tracking events (from the partition of
 * mail.tracking.v1 its network message id hashes to, starting a minute before it was received), and the whole
 * message as .eml (an inline body, or a claim-checked body read from mail.bodies.v1 by delivery's own
 * {@link BodyChunks} and {@link ReferencedMessage}, so the digest is checked as delivery checks it). Blocking.
 */
public final class MessageDetail {
  /** A header field, unfolded. */
  public record Header(String name, String value) {}

  private MessageDetail() {}

  /** The copy's record as the index located it. */
  public static DeliveryItem item(String bootstrap, MessageIndex.Copy copy, Duration timeout) {
    Topic<DeliveryItem> topic = topicOf(copy.topic());
    try (TopicReader<DeliveryItem> reader = TopicReader.offsets(bootstrap, topic, copy.partition(), copy.offset(),
        copy.offset(), timeout)) {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        for (TopicReader.Entry<DeliveryItem> e : reader.poll(Duration.ofMillis(200))) {
          if (e.decoded()) {
            return e.value();
          }
          throw e.error();
        }
        if (reader.finished()) {
          break;
        }
      }
    }
    throw new KafkaUnavailableException("could not read " + copy.topic() + "-" + copy.partition() + "@"
        + copy.offset() + " within " + timeout.toSeconds() + " s", null);
  }

  private static Topic<DeliveryItem> topicOf(String name) {
    if (Topics.DELIVERY.name().equals(name)) {
      return Topics.DELIVERY;
    }
    return MessageIndex.DELAY_TOPICS.stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
  }

  /** The octets before the first chunk: the whole message when inline, else its header section. */
  static byte[] head(DeliveryItem item) {
    ByteBuffer data = item.getBody() instanceof InlineBody inline ? inline.getData().duplicate()
        : ((BodyReference) item.getBody()).getHead().duplicate();
    byte[] bytes = new byte[data.remaining()];
    data.get(bytes);
    return bytes;
  }

  /** The header fields of a message's head, unfolded, in order; stops at the blank line. */
  public static List<Header> headers(byte[] head) {
    String text = new String(head, StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    if (end < 0) {
      end = text.indexOf("\n\n");
    }
    if (end >= 0) {
      text = text.substring(0, end);
    }
    List<Header> headers = new ArrayList<>();
    String name = null;
    StringBuilder value = new StringBuilder();
    for (String line : text.split("\r?\n")) {
      if (!line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t') && name != null) {
        value.append(' ').append(line.strip()); // a folded continuation
        continue;
      }
      if (name != null) {
        headers.add(new Header(name, utf8(value.toString())));
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        name = null; // not a field (a mbox From line ...): skipped
        continue;
      }
      name = line.substring(0, colon).strip();
      value.setLength(0);
      value.append(line.substring(colon + 1).strip());
    }
    if (name != null) {
      headers.add(new Header(name, utf8(value.toString())));
    }
    return headers;
  }

  private static String utf8(String latin1) {
    return new String(latin1.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
  }

  /**
   * The tracking events of the copy (as {@link #trackingEvents(String, MessageIndex.Copy, Duration)}) from the node's
   * own message-tracking index, one search instead of a scan of the topic; null when that index has not read its
   * topic to the end (its answer could miss the newest events: the caller scans the topic instead).
   */
  public static List<TrackingEvent> trackingEvents(FederatedTrackingSearch tracking, MessageIndex.Copy copy) {
    TrackingSearch own = tracking.members().get(0).search();
    IndexStatus status = own.status();
    if (status.rebuilding() || status.lag() > 0) {
      return null;
    }
    Set<String> recipients = new HashSet<>();
    copy.recipients().forEach(r -> recipients.add(r.toLowerCase(Locale.ROOT)));
    List<TrackingEvent> events = new ArrayList<>();
    TrackingQuery query = new TrackingQuery(null, List.of(), null, copy.networkMessageId(), null, null, null, null,
        null, null, null, null, TrackingQuery.UNLIMITED, null);
    for (TrackingEvent e : own.search(query).events()) {
      if (e.getInternalMessageId() == null || e.getInternalMessageId().equals(copy.id())
          || e.getRecipientAddress().stream().anyMatch(a -> recipients.contains(a.toLowerCase(Locale.ROOT)))) {
        events.add(e);
      }
    }
    return events;
  }

  /**
   * The tracking events of the copy: events of its network message id that name this copy, no copy (the message's
   * RECEIVE, SUBMIT ...), or one of its recipients; oldest first.
   */
  public static List<TrackingEvent> trackingEvents(String bootstrap, MessageIndex.Copy copy, Duration timeout) {
    Map<String, Object> config = KafkaClientConfig.consumer(bootstrap, "unused", "mailflow-admin-message-events");
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    config.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    List<TrackingEvent> events = new ArrayList<>();
    Set<String> recipients = new HashSet<>();
    copy.recipients().forEach(r -> recipients.add(r.toLowerCase(Locale.ROOT)));
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config)) {
      List<PartitionInfo> partitions = consumer.partitionsFor(Topics.TRACKING.name());
      if (partitions == null || partitions.isEmpty()) {
        throw new KafkaUnavailableException("topic " + Topics.TRACKING.name() + " does not exist", null);
      }
      // the producer's default partitioner: murmur2 of the key (the network message id)
      int partition = Utils.toPositive(Utils.murmur2(copy.networkMessageId().getBytes(StandardCharsets.UTF_8)))
          % partitions.size();
      TopicPartition p = new TopicPartition(Topics.TRACKING.name(), partition);
      consumer.assign(List.of(p));
      long end = consumer.endOffsets(List.of(p)).get(p);
      Instant from = copy.receivedAt().minus(Duration.ofMinutes(1));
      OffsetAndTimestamp start = consumer.offsetsForTimes(Map.of(p, from.toEpochMilli())).get(p);
      if (start == null) {
        return events;
      }
      consumer.seek(p, start.offset());
      long deadline = System.nanoTime() + timeout.toNanos();
      while (consumer.position(p) < end) {
        if (System.nanoTime() > deadline) {
          throw new KafkaUnavailableException("reading " + p + " did not finish within " + timeout.toSeconds()
              + " s", null);
        }
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.offset() >= end || !copy.networkMessageId().equals(r.key())) {
            continue;
          }
          TrackingEvent e;
          try {
            e = Topics.TRACKING.codec().decode(r.value());
          } catch (UndecodableRecordException ignored) {
            continue;
          }
          if (e.getInternalMessageId() == null || e.getInternalMessageId().equals(copy.id())
              || e.getRecipientAddress().stream().anyMatch(a -> recipients.contains(a.toLowerCase(Locale.ROOT)))) {
            events.add(e);
          }
        }
      }
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      throw new KafkaUnavailableException("cannot reach Kafka at " + bootstrap + " within " + timeout.toSeconds()
          + " s", e);
    }
    events.sort(java.util.Comparator.comparing(TrackingEvent::getDateTime));
    return events;
  }

  /**
   * The whole message as delivery would send it (Export-Message). A claim-checked body is read chunk by chunk and
   * its SHA-256 checked; a body retention removed fails with delivery's BodyUnavailableException.
   */
  public static byte[] raw(String bootstrap, DeliveryItem item, Duration timeout) {
    if (item.getBody() instanceof InlineBody) {
      return head(item);
    }
    BodyReference reference = (BodyReference) item.getBody();
    // a plain thread, off any Vert.x context: the reading hands its pieces back where it was opened, and a worker
    // context blocked here would never run them
    CompletableFuture<byte[]> result = CompletableFuture.supplyAsync(() -> {
      try (BodyChunks chunks = BodyChunks.start(bootstrap, "mailflow-admin-export", timeout)) {
        MessageSource source = ReferencedMessage.of(reference, chunks, item.getEnvelope().getNetworkMessageId(),
            false);
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(reference.getSize(), 64 << 20));
        ContentStream stream = source.open();
        try {
          while (true) {
            byte[] piece = stream.next().toCompletionStage().toCompletableFuture()
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (piece == null) {
              return out.toByteArray();
            }
            out.writeBytes(piece);
          }
        } finally {
          stream.close();
        }
      } catch (ExecutionException e) {
        throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new KafkaUnavailableException("interrupted while reading body " + reference.getBodyId(), e);
      } catch (java.util.concurrent.TimeoutException e) {
        throw new KafkaUnavailableException("body " + reference.getBodyId() + " not read within "
            + timeout.toSeconds() + " s", e);
      }
    }, r -> {
      Thread t = new Thread(r, "message-export");
      t.setDaemon(true);
      t.start();
    });
    try {
      return result.join();
    } catch (java.util.concurrent.CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    }
  }
}
