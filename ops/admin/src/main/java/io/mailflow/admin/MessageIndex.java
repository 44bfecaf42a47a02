package io.mailflow.admin;

import io.mailflow.kafka.KafkaClientConfig;
import io.mailflow.kafka.KafkaUnavailableException;
import io.mailflow.kafka.MessageState;
import io.mailflow.kafka.Topic;
import io.mailflow.kafka.Topics;
import io.mailflow.kafka.ControlView;
import io.mailflow.schemas.avro.ControlKind;
import io.mailflow.schemas.avro.ControlRecord;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.QueueState;
import io.mailflow.schemas.avro.ResolvedRecipient;
import io.mailflow.schemas.avro.TrackingEvent;
import io.mailflow.schemas.codec.UndecodableRecordException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MessageIndex - every queued copy of the cluster, read from Kafka rather than asked of the delivery instances: the
 * copies on mail.delivery.v1 and on the delay topics that their consumer groups have not processed yet.
 *
 * <p>One consumer on its own thread, no consumer group (it moves nobody's offsets), assigned every partition of
 * mail.delivery.v1 (from the committed offset of {@value #DELIVERY_GROUP}), of the delay topics (from the committed
 * offsets of {@value #RETRY_GROUP}), of mail.tracking.v1 (QUEUESTATE events, and the last DEFER reply per copy) and
 * of mail.control.v1 (admin settings). Per copy (internal message id) it keeps the newest record seen: later record
 * timestamp, then higher attempt, then a delay-topic record wins a tie. About once a second, and before answering a
 * query, it reads the groups' committed offsets; a copy whose newest record is below its group's commit was
 * processed (delivered, failed, or moved to another topic where a newer record stands for it) and leaves the
 * index. It is remembered for an hour as "left at T", so an older record read later cannot bring it back and an
 * action on it is answered 409.
 *
 * <p>So the count includes copies no delivery instance has read yet, copies waiting on delay topics, and suspended
 * copies (held on delay topics). Known gap: a copy forwarded early by a retry-now, whose delay record stays behind
 * the retry group's commit while its forward was already delivered before this index started, counts until the
 * forwarder's commit passes it.
 *
 * <p>{@link #snapshot} waits (bounded) until the index has read up to the end offsets taken when it was called, so
 * what an action wrote before is in the answer. Blocking: call it off any event loop.
 */
public final class MessageIndex implements AutoCloseable {
  /** The delivery stage's group (DeliveryStage.GROUP_ID). */
  public static final String DELIVERY_GROUP = "mailflow-delivery";
  /** The delay topics' forwarders' group (RetryForwarder.groupId("delivery")). */
  public static final String RETRY_GROUP = "mailflow-delivery-retry";
  /** The delay topics, shortest first. */
  public static final List<Topic<DeliveryItem>> DELAY_TOPICS = List.of(Topics.RETRY_1M, Topics.RETRY_5M,
      Topics.RETRY_15M, Topics.RETRY_1H);
  /** How long a copy that left its queue is remembered (for 409, and against resurrection). */
  static final Duration LEFT_MEMORY = Duration.ofHours(1);
  /** At most this many are remembered (about 100 B each): a busy hour keeps the last 500,000 that left. */
  static final int MAX_LEFT = 500_000;
  /** The window of the incoming and outgoing rates. */
  static final Duration RATE_WINDOW = Duration.ofSeconds(60);
  private static final Duration POLL = Duration.ofMillis(200);
  private static final long REFRESH_MILLIS = 1000;
  private static final Logger log = LoggerFactory.getLogger(MessageIndex.class);

  /** A queued copy as its newest record shows it. */
  public record Copy(String id, String queue, String deliveryType, String nextHopDomain, String sender,
      List<String> recipients, long size, String subject, Instant receivedAt, int attempt, Instant notBefore,
      String networkMessageId, String messageIdHeader, String topic, int partition, long offset, long timestamp,
      String receiveConnector) {
    boolean onDelayTopic() {
      return !Topics.DELIVERY.name().equals(topic);
    }

    /** Newer-record order: record timestamp, then attempt, then a delay-topic record wins a tie. */
    int compareAge(Copy other) {
      int c = Long.compare(timestamp, other.timestamp);
      if (c != 0) {
        return c;
      }
      c = Integer.compare(attempt, other.attempt);
      return c != 0 ? c : Boolean.compare(onDelayTopic(), other.onDelayTopic());
    }
  }

  /** Get-Message's order: date received, then id (unique per copy). */
  public static final Comparator<Copy> ORDER = Comparator.comparing(Copy::receivedAt).thenComparing(Copy::id);

  /**
   * A copy that left its queue: its queue, the order key of its newest record then (timestamp, attempt, delay
   * topic), and when the index saw it go. Small on purpose: an hour of a busy cluster's deliveries is kept.
   */
  public record Left(String queue, long timestamp, int attempt, boolean delayTopic, Instant at) {
    static Left of(Copy c, Instant at) {
      return new Left(c.queue(), c.timestamp(), c.attempt(), c.onDelayTopic(), at);
    }

    /** True when {@code c} is no newer than the record the copy left with. */
    boolean outdates(Copy c) {
      int cmp = Long.compare(c.timestamp(), timestamp);
      if (cmp == 0) {
        cmp = Integer.compare(c.attempt(), attempt);
      }
      if (cmp == 0) {
        cmp = Boolean.compare(c.onDelayTopic(), delayTopic);
      }
      return cmp <= 0;
    }
  }

  /** A queue's latest QUEUESTATE, by whichever server reported it last. */
  public record Reported(String server, QueueState state, Instant at) {}

  /**
   * What a query sees, consistent at one moment.
   *
   * @param copies every queued copy, in {@link #ORDER}
   * @param lastReplies per copy id: the last DEFER's reply per recipient address
   * @param entered per queue: copies that entered in the last minute
   * @param left per queue: copies that left in the last minute
   * @param leftLookup the copies that left within the last hour, by id ({@link #whenLeft})
   */
  public record Snapshot(Instant at, List<Copy> copies, Map<String, Reported> reported, Map<String, ControlRecord>
      control, Map<String, Map<String, String>> lastReplies, Map<String, Integer> entered, Map<String, Integer> left,
      java.util.function.Function<String, Left> leftLookup) {
    /** The copy's status: PendingRemove, Suspended (the copy's or its queue's setting), Retry, Ready. */
    public String status(Copy c) {
      ControlRecord m = control.get(ControlView.key(ControlKind.MESSAGE, c.id()));
      MessageState state = m == null ? null : MessageState.of(m.getState());
      if (state != null && state.removes()) {
        return "PendingRemove";
      }
      if (state == MessageState.Suspended) {
        return "Suspended";
      }
      ControlRecord q = control.get(ControlView.key(ControlKind.QUEUE, c.queue()));
      if (q != null && "Suspended".equals(q.getState())) { // a suspended queue holds every copy it has
        return "Suspended";
      }
      return c.onDelayTopic() ? "Retry" : "Ready";
    }

    /** When the copy of that id left its queue (within the last hour), or null. */
    public Left whenLeft(String id) {
      return leftLookup.apply(id);
    }

    public Copy copy(String id) {
      return copies.stream().filter(c -> c.id().equals(id)).findFirst().orElse(null);
    }
  }

  private final String bootstrap;
  private final String clientId;
  private final Duration timeout;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile KafkaConsumer<String, byte[]> consumer;
  private volatile Admin admin;
  private volatile String failure = "not started";
  /** Where the consumer stands on every assigned partition, published whole after each poll. */
  private volatile Map<TopicPartition, Long> positions = Map.of();

  // guarded by this
  private final Map<String, Copy> copies = new HashMap<>();
  /** The same copies in Get-Message's order (date received, then id), so no query sorts 100,000 of them. */
  private final TreeSet<Copy> ordered = new TreeSet<>(ORDER);
  /** How many queued copies each network message id has: the tracking events worth decoding. */
  private final Map<String, Integer> networkIds = new HashMap<>();
  private final Map<String, Left> gone = new LinkedHashMap<>();
  private final Map<String, Reported> reported = new TreeMap<>();
  private final Map<String, ControlRecord> control = new HashMap<>();
  private final Map<String, Map<String, String>> lastReplies = new HashMap<>();
  private final Map<String, ArrayDeque<Long>> entered = new HashMap<>();
  private final Map<String, ArrayDeque<Long>> leaving = new HashMap<>();
  private Map<TopicPartition, Long> committed = Map.of();

  private MessageIndex(String bootstrap, String clientId, Duration timeout) {
    this.bootstrap = bootstrap;
    this.clientId = clientId;
    this.timeout = timeout;
    this.thread = new Thread(this::run, "message-index-" + clientId);
    this.thread.setDaemon(true);
  }

  /**
   * Starts reading on the index's own thread and returns at once: a broker that is down is retried, and each
   * query says so (503) meanwhile.
   */
  public static MessageIndex start(String bootstrap, String clientId, Duration timeout) {
    MessageIndex index = new MessageIndex(bootstrap, clientId, timeout);
    index.thread.start();
    return index;
  }

  private void run() {
    while (running) {
      try {
        connect();
        long lastRefresh = 0;
        while (running) {
          for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
            apply(r);
          }
          Map<TopicPartition, Long> now = new HashMap<>();
          for (TopicPartition p : consumer.assignment()) {
            now.put(p, consumer.position(p));
          }
          positions = now;
          if (System.currentTimeMillis() - lastRefresh >= REFRESH_MILLIS) {
            refresh(readCommitted());
            lastRefresh = System.currentTimeMillis();
          }
          failure = null;
        }
      } catch (WakeupException e) {
        // close() asked us to stop
      } catch (RuntimeException e) {
        failure = e.getMessage() == null ? e.toString() : e.getMessage();
        log.warn("message index: {} (retrying in 2 s)", failure);
        closeClients();
        sleep(2000);
      }
    }
    closeClients();
  }

  private void connect() {
    Map<String, Object> config = KafkaClientConfig.consumer(bootstrap, "unused", clientId);
    config.remove(ConsumerConfig.GROUP_ID_CONFIG); // no group: moves nobody's offsets
    config.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    // start where nothing is lost: a partition without a commit is read from its start
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    consumer = new KafkaConsumer<>(config);
    Map<String, Object> adminConfig = new HashMap<>();
    adminConfig.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    adminConfig.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId + "-admin");
    adminConfig.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    adminConfig.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 10_000));
    admin = Admin.create(adminConfig);
    List<TopicPartition> queues = new ArrayList<>(partitions(Topics.DELIVERY));
    DELAY_TOPICS.forEach(t -> queues.addAll(partitions(t)));
    List<TopicPartition> events = new ArrayList<>(partitions(Topics.TRACKING));
    events.addAll(partitions(Topics.CONTROL));
    List<TopicPartition> all = new ArrayList<>(queues);
    all.addAll(events);
    consumer.assign(all);
    consumer.seekToBeginning(all);
    Map<TopicPartition, Long> commits = readCommitted();
    synchronized (this) {
      resetState();
      committed = commits;
    }
    for (TopicPartition p : queues) {
      Long at = commits.get(p);
      if (at != null) {
        consumer.seek(p, at); // below it, everything was processed
      }
    }
  }

  private synchronized void resetState() {
    copies.clear();
    ordered.clear();
    networkIds.clear();
    reported.clear();
    control.clear();
    lastReplies.clear();
    positions = Map.of();
  }

  private List<TopicPartition> partitions(Topic<?> topic) {
    List<PartitionInfo> infos;
    try {
      infos = consumer.partitionsFor(topic.name());
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      throw new KafkaUnavailableException("cannot reach Kafka at " + bootstrap + " within " + timeout.toSeconds()
          + " s", e);
    }
    if (infos == null || infos.isEmpty()) {
      throw new KafkaUnavailableException("topic " + topic.name() + " does not exist on " + bootstrap, null);
    }
    return infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
  }

  /** The committed offsets of the delivery group and the retry group, by partition. */
  private Map<TopicPartition, Long> readCommitted() {
    return committedOf(await(requestCommitted(admin), "the committed offsets of " + DELIVERY_GROUP + " and "
        + RETRY_GROUP));
  }

  /** Both groups' committed offsets, in one request. */
  private static org.apache.kafka.common.KafkaFuture<Map<String, Map<TopicPartition, OffsetAndMetadata>>>
      requestCommitted(Admin admin) {
    return admin.listConsumerGroupOffsets(Map.of(DELIVERY_GROUP, new ListConsumerGroupOffsetsSpec(),
        RETRY_GROUP, new ListConsumerGroupOffsetsSpec())).all();
  }

  /** The offsets that matter: the delivery group's on mail.delivery.v1, the retry group's on the delay topics. */
  private static Map<TopicPartition, Long> committedOf(Map<String, Map<TopicPartition, OffsetAndMetadata>> groups) {
    Map<TopicPartition, Long> result = new HashMap<>();
    groups.forEach((group, offsets) -> offsets.forEach((p, o) -> {
      if (o != null && (group.equals(DELIVERY_GROUP) ? p.topic().equals(Topics.DELIVERY.name())
          : DELAY_TOPICS.stream().anyMatch(t -> t.name().equals(p.topic())))) {
        result.put(p, o.offset());
      }
    }));
    return result;
  }

  private <T> T await(org.apache.kafka.common.KafkaFuture<T> future, String what) {
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new KafkaUnavailableException("Kafka at " + bootstrap + " did not answer " + what + " within "
          + timeout.toSeconds() + " s", e);
    } catch (ExecutionException e) {
      throw new KafkaUnavailableException("reading " + what + " at " + bootstrap + " failed: " + e.getCause(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaUnavailableException("interrupted while reading " + what, e);
    }
  }

  private void apply(ConsumerRecord<String, byte[]> r) {
    String topic = r.topic();
    try {
      if (topic.equals(Topics.CONTROL.name())) {
        applyControl(r);
      } else if (r.value() == null) {
        return; // a tombstone: no event, no copy
      } else if (topic.equals(Topics.TRACKING.name())) {
        if (worthDecoding(r.key())) {
          applyTracking(Topics.TRACKING.codec().decode(r.value()));
        }
      } else {
        applyCopy(r, Topics.DELIVERY.codec().decode(r.value()));
      }
    } catch (UndecodableRecordException e) {
      // a poison record: the stage that reads it parks it; it is no queued copy here
      log.debug("message index: skipping undecodable {}-{}@{}", topic, r.partition(), r.offset());
    } catch (RuntimeException e) {
      // one odd record (a field missing) must not stop the view of every other copy
      log.warn("message index: skipping {}-{}@{}: {}", topic, r.partition(), r.offset(), e.toString());
    }
  }

  /**
   * Most tracking events are about messages (keyed by their network message id, a GUID) that are not queued: only
   * QUEUESTATE events (keyed by a next-hop key) and events of queued copies are decoded, which keeps the index's CPU
   * small beside a busy pipeline.
   */
  private synchronized boolean worthDecoding(String key) {
    return key == null || !isGuid(key) || networkIds.containsKey(key);
  }

  private static boolean isGuid(String key) {
    return key.length() == 36 && key.charAt(8) == '-' && key.charAt(13) == '-' && key.charAt(18) == '-'
        && key.charAt(23) == '-';
  }

  private synchronized void applyControl(ConsumerRecord<String, byte[]> r) {
    if (r.value() == null) {
      control.remove(r.key());
      return;
    }
    ControlRecord value = Topics.CONTROL.codec().decode(r.value());
    if (ControlView.CLEARED.equals(value.getState())) {
      control.remove(r.key());
    } else {
      control.put(r.key(), value);
    }
  }

  private synchronized void applyTracking(TrackingEvent e) {
    if (e.getQueue() != null && "QUEUESTATE".equals(e.getEventId())) {
      reported.put(e.getQueue().getIdentity(), new Reported(e.getServerHostname(), e.getQueue(), e.getDateTime()));
    } else if ("DEFER".equals(e.getEventId()) && e.getInternalMessageId() != null
        && copies.containsKey(e.getInternalMessageId())) {
      Map<String, String> replies = lastReplies.computeIfAbsent(e.getInternalMessageId(), k -> new HashMap<>());
      List<String> statuses = e.getRecipientStatus();
      for (int i = 0; i < e.getRecipientAddress().size(); i++) {
        replies.put(e.getRecipientAddress().get(i).toLowerCase(java.util.Locale.ROOT),
            i < statuses.size() ? statuses.get(i) : e.getMessageInfo());
      }
    }
  }

  private synchronized void applyCopy(ConsumerRecord<String, byte[]> r, DeliveryItem item) {
    Copy copy = copyOf(r, item);
    Copy known = copies.get(copy.id());
    if (known != null) {
      if (copy.compareAge(known) > 0) {
        copies.put(copy.id(), copy);
        ordered.remove(known);
        ordered.add(copy);
      }
      return;
    }
    Left left = gone.get(copy.id());
    if (left != null && left.outdates(copy)) {
      return; // an older record of a copy that already left: it does not come back
    }
    if (isProcessed(copy, committed)) {
      return; // read before the commit refresh that would drop it
    }
    gone.remove(copy.id());
    copies.put(copy.id(), copy);
    ordered.add(copy);
    networkIds.merge(copy.networkMessageId(), 1, Integer::sum);
    entered.computeIfAbsent(copy.queue(), k -> new ArrayDeque<>()).add(copy.timestamp());
  }

  private static Copy copyOf(ConsumerRecord<String, byte[]> r, DeliveryItem item) {
    var env = item.getEnvelope();
    List<String> recipients = item.getRecipients().stream().map(ResolvedRecipient::getAddress).toList();
    String key = r.key() != null ? r.key() : item.getNextHop().getDeliveryType() + ":"
        + item.getNextHop().getNextHopDomain();
    return new Copy(item.getInternalMessageId(), key, item.getNextHop().getDeliveryType().name(),
        item.getNextHop().getNextHopDomain(), env.getSender(), recipients, env.getSize(), env.getSubject(),
        env.getReceivedAt(), item.getAttempt(), item.getNotBefore(), env.getNetworkMessageId(),
        env.getMessageIdHeader(), r.topic(), r.partition(), r.offset(), r.timestamp(), env.getReceiveConnector());
  }

  private static boolean isProcessed(Copy c, Map<TopicPartition, Long> commits) {
    Long at = commits.get(new TopicPartition(c.topic(), c.partition()));
    return at != null && c.offset() < at;
  }

  /** Drops the copies whose newest record is below its group's commit: processed. */
  private synchronized void refresh(Map<TopicPartition, Long> commits) {
    committed = commits;
    long now = System.currentTimeMillis();
    Instant at = Instant.ofEpochMilli(now);
    for (Iterator<Copy> it = copies.values().iterator(); it.hasNext(); ) {
      Copy c = it.next();
      if (isProcessed(c, commits)) {
        it.remove();
        ordered.remove(c);
        networkIds.computeIfPresent(c.networkMessageId(), (k, n) -> n == 1 ? null : n - 1);
        lastReplies.remove(c.id());
        gone.put(c.id(), Left.of(c, at));
        leaving.computeIfAbsent(c.queue(), k -> new ArrayDeque<>()).add(now);
      }
    }
    long forget = now - LEFT_MEMORY.toMillis();
    for (Iterator<Left> it = gone.values().iterator(); it.hasNext(); ) {
      if (it.next().at().toEpochMilli() < forget || gone.size() > MAX_LEFT) {
        it.remove();
      } else {
        break; // insertion order is leaving order
      }
    }
    trim(entered, now);
    trim(leaving, now);
  }

  private static void trim(Map<String, ArrayDeque<Long>> times, long now) {
    long since = now - RATE_WINDOW.toMillis();
    for (Iterator<ArrayDeque<Long>> it = times.values().iterator(); it.hasNext(); ) {
      ArrayDeque<Long> q = it.next();
      q.removeIf(t -> t < since);
      if (q.isEmpty()) {
        it.remove();
      }
    }
  }

  /**
   * Waits until the index has read every partition up to the end it has now and has read the groups' commits made
   * before now, then answers what it holds.
   *
   * @throws KafkaUnavailableException when the index cannot get there within the timeout
   */
  public Snapshot snapshot() {
    long deadline = System.nanoTime() + timeout.toNanos();
    Admin a = admin;
    if (a == null || consumer == null) {
      waitFor(() -> admin != null && !positions.isEmpty(), deadline);
      a = admin;
    }
    Set<TopicPartition> wanted = new HashSet<>(positions.keySet());
    if (wanted.isEmpty()) {
      waitFor(() -> !positions.isEmpty(), deadline);
      wanted = new HashSet<>(positions.keySet());
    }
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    wanted.forEach(p -> latest.put(p, OffsetSpec.latest()));
    // both questions at once: two round trips cost one
    var endsAsked = a.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all();
    var commitsAsked = requestCommitted(a);
    Map<TopicPartition, Long> ends = new HashMap<>();
    await(endsAsked, "the end offsets").forEach((p, info) -> ends.put(p, info.offset()));
    Map<TopicPartition, Long> commits = committedOf(await(commitsAsked, "the committed offsets of " + DELIVERY_GROUP
        + " and " + RETRY_GROUP));
    waitFor(() -> {
      Map<TopicPartition, Long> at = positions;
      return ends.entrySet().stream().allMatch(e -> at.getOrDefault(e.getKey(), -1L) >= e.getValue());
    }, deadline);
    synchronized (this) {
      refresh(commits);
      Map<String, Integer> in = new HashMap<>();
      entered.forEach((q, t) -> in.put(q, t.size()));
      Map<String, Integer> out = new HashMap<>();
      leaving.forEach((q, t) -> out.put(q, t.size()));
      Map<String, Map<String, String>> replies = new HashMap<>();
      lastReplies.forEach((k, v) -> replies.put(k, Map.copyOf(v)));
      return new Snapshot(Instant.now(), List.copyOf(ordered), Map.copyOf(reported), Map.copyOf(control),
          replies, in, out, this::leftAt);
    }
  }

  /**
   * Waits until {@code done}; gives up at {@code deadline} unless the index is still reading (its positions move),
   * so catching up on a large backlog takes as long as it takes, while a broker that went away fails in time.
   */
  private void waitFor(java.util.function.BooleanSupplier done, long deadline) {
    long read = progress();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        long now = progress();
        if (now > read) {
          read = now;
          deadline = System.nanoTime() + timeout.toNanos();
          continue;
        }
        String why = failure;
        throw new KafkaUnavailableException("the message index did not catch up with " + bootstrap + " within "
            + timeout.toSeconds() + " s" + (why == null ? "" : ": " + why), null);
      }
      sleep(20);
    }
  }

  /** Records read so far, as the sum of the positions (only grows while the index reads). */
  private long progress() {
    return positions.values().stream().mapToLong(Long::longValue).sum();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private synchronized Left leftAt(String id) {
    return gone.get(id);
  }

  /** How many copies are queued now (as last read; no wait). */
  public synchronized int size() {
    return copies.size();
  }

  /** The copies known now, without waiting (for the benchmark's catch-up and tests). */
  synchronized Collection<Copy> copiesNow() {
    return List.copyOf(copies.values());
  }

  private void closeClients() {
    KafkaConsumer<String, byte[]> c = consumer;
    consumer = null;
    if (c != null) {
      try {
        c.close(Duration.ofSeconds(2));
      } catch (RuntimeException ignored) {
        // closing: nothing to do about it
      }
    }
    Admin a = admin;
    admin = null;
    if (a != null) {
      a.close(Duration.ofSeconds(2));
    }
  }

  @Override
  public void close() {
    running = false;
    KafkaConsumer<String, byte[]> c = consumer;
    if (c != null) {
      c.wakeup(); // the thread closes the clients on its way out
    } else {
      thread.interrupt(); // waiting to retry a broker that was down
    }
    try {
      thread.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
