package io.mailflow.edge.server;

import io.mailflow.kafka.TopicProvisioner;
import io.mailflow.kafka.TopicReader;
import io.mailflow.kafka.Topics;
import io.mailflow.kafka.embedded.SharedKafka;
import io.mailflow.organization.Directory;
import io.mailflow.organization.Organization;
import io.mailflow.schemas.avro.SubmittedMessage;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * EdgeRig - what an edge integration test stands on: a Vert.x instance, the edges it starts for an organization
 * (every receive connector's verticle) and SMTP test clients to their connectors; {@link #onKafka} adds the
 * shared embedded broker with mailflow's topics, the edge's Kafka wiring and a tail of mail.submission.v1.
 *
 * <p>A JUnit 5 extension, registered once per class: {@code @RegisterExtension static final EdgeRig rig =
 * EdgeRig.inMemory();}. Vert.x, the broker's side and what a {@code @BeforeAll} starts live for the class;
 * what a test or its {@code @BeforeEach} starts is closed after that test. Everything is closed, the last
 * started first, even when a test or a setup fails; a failure to close fails the test or class.
 */
final class EdgeRig implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final String kafkaClientId;
  private Vertx vertx;
  private String bootstrap;
  private KafkaEdgeWiring wiring;
  private SubmissionTail submissions;
  /** What the class started (Vert.x, Kafka, edges of a @BeforeAll) and what the running test started. */
  private final Deque<Started> forClass = new ArrayDeque<>();
  private final Deque<Started> forTest = new ArrayDeque<>();
  private boolean inTest;

  private EdgeRig(String kafkaClientId) {
    this.kafkaClientId = kafkaClientId;
  }

  /** Vert.x only: each edge hands its messages and events to what the test gives it (RecordingPublisher...). */
  static EdgeRig inMemory() {
    return new EdgeRig(null);
  }

  /** Also the shared broker: {@link #start(Organization)} gives edges the Kafka wiring (producer {@code clientId}). */
  static EdgeRig onKafka(String clientId) {
    return new EdgeRig(clientId);
  }

  private record Started(String what, AutoCloseable closer) {}

  void opened(String what, AutoCloseable closer) {
    (inTest ? forTest : forClass).push(new Started(what, closer));
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    try {
      Vertx created = Vertx.vertx();
      vertx = created;
      opened("Vert.x", () -> result(created.close()));
      if (kafkaClientId != null) {
        bootstrap = SharedKafka.bootstrapServers();
        TopicProvisioner.ensureTopics(bootstrap, 1, (short) 1, WAIT);
        submissions = new SubmissionTail(bootstrap);
        opened("tail of " + Topics.SUBMISSION.name(), submissions);
        wiring = KafkaEdgeWiring.create(bootstrap, kafkaClientId);
        opened("Kafka wiring", wiring);
      }
    } catch (Exception | Error e) {
      closeAll(forClass, e);
      throw e;
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    inTest = true;
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    inTest = false;
    closeAll(forTest, null);
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    closeAll(forClass, null);
  }

  Vertx vertx() {
    return vertx;
  }

  /** The shared broker's bootstrap servers ({@link #onKafka} only). */
  String bootstrap() {
    kafkaOnly();
    return bootstrap;
  }

  /** Every receive connector of {@code organization}, on the Kafka wiring ({@link #onKafka} only). */
  SmtpEdge start(Organization organization) throws Exception {
    kafkaOnly();
    return start(organization, wiring.submissions(), wiring.events(), EdgeOptions.defaults());
  }

  /** Every receive connector of {@code organization} with default options, into {@code publisher} and {@code events}. */
  SmtpEdge start(Organization organization, SubmissionPublisher publisher, EdgeEvents events) throws Exception {
    return start(organization, publisher, events, EdgeOptions.defaults());
  }

  /** Every receive connector of {@code organization}, closed after the test (or class) that started it. */
  SmtpEdge start(Organization organization, SubmissionPublisher publisher, EdgeEvents events, EdgeOptions options)
      throws Exception {
    SmtpEdge edge = result(SmtpEdge.start(vertx, organization, Directory.of(organization), publisher, events,
        options));
    opened("edge of " + organization.serverName(), new EdgeCloser(edge));
    return edge;
  }

  /** Closes {@code edge} now, before the rig would; it is then no longer the rig's to close. */
  void close(SmtpEdge edge) throws Exception {
    for (Deque<Started> scope : List.of(forTest, forClass)) {
      for (Started s : scope) {
        if (s.closer() instanceof EdgeCloser closer && closer.edge == edge) {
          scope.remove(s);
          s.closer().close();
          return;
        }
      }
    }
    throw new IllegalArgumentException("not an edge this rig started");
  }

  /** A client connected to the first address of {@code connector} on {@code edge}, closed with the test. */
  SmtpTestClient client(SmtpEdge edge, String connector) throws IOException {
    SmtpTestClient client = new SmtpTestClient(edge.listening(connector).get(0));
    opened("SMTP client", client);
    return client;
  }

  /** The same from {@code localIp} (127.0.0.0/8 is all this host's on Linux): another client IP. */
  SmtpTestClient client(String localIp, SmtpEdge edge, String connector) throws IOException {
    SmtpTestClient client = SmtpTestClient.from(localIp, edge.listening(connector).get(0));
    opened("SMTP client", client);
    return client;
  }

  /** Waits until a message on mail.submission.v1 since the class started matches, and returns the first. */
  SubmittedMessage submitted(Predicate<SubmittedMessage> match, Duration timeout) {
    kafkaOnly();
    Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(50))
        .until(() -> !submissions.matching(match).isEmpty());
    return submissions.matching(match).get(0);
  }

  /** The messages on mail.submission.v1 since the class started, in order (one partition), that match. */
  List<SubmittedMessage> submissions(Predicate<SubmittedMessage> match) {
    kafkaOnly();
    return submissions.matching(match);
  }

  private void kafkaOnly() {
    if (kafkaClientId == null) {
      throw new IllegalStateException("an in-memory EdgeRig has no broker: use EdgeRig.onKafka");
    }
  }

  static <T> T result(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  /** Closes {@code scope}, the last started first; the first failure is thrown with the others suppressed. */
  private static void closeAll(Deque<Started> scope, Throwable alreadyFailing) throws Exception {
    Exception first = null;
    while (!scope.isEmpty()) {
      Started s = scope.pop();
      try {
        s.closer().close();
      } catch (Exception e) {
        Exception named = new IllegalStateException("closing " + s.what() + " failed", e);
        if (alreadyFailing != null) {
          alreadyFailing.addSuppressed(named);
        } else if (first == null) {
          first = named;
        } else {
          first.addSuppressed(named);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /** Closes one edge (undeploying twice would fail, so the rig closes each edge once). */
  private record EdgeCloser(SmtpEdge edge) implements AutoCloseable {
    @Override
    public void close() throws Exception {
      result(edge.close());
    }
  }

  /** SubmissionTail - reads mail.submission.v1 from its end on its own thread and keeps what it decodes. */
  private static final class SubmissionTail implements AutoCloseable {
    private final TopicReader<SubmittedMessage> reader;
    private final List<SubmittedMessage> seen = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    SubmissionTail(String bootstrap) {
      reader = TopicReader.fromEnd(bootstrap, Topics.SUBMISSION); // the end is fixed now, before any test sends
      thread = new Thread(this::run, "tail-" + Topics.SUBMISSION.name());
      thread.start();
    }

    private void run() {
      try {
        while (running) {
          reader.poll(Duration.ofMillis(100)).forEach(e -> {
            if (e.decoded()) {
              seen.add(e.value());
            }
          });
        }
      } finally {
        reader.close();
      }
    }

    List<SubmittedMessage> matching(Predicate<SubmittedMessage> match) {
      List<SubmittedMessage> out = new ArrayList<>();
      for (SubmittedMessage m : seen) {
        if (match.test(m)) {
          out.add(m);
        }
      }
      return out;
    }

    @Override
    public void close() throws InterruptedException {
      running = false;
      thread.join(5_000);
    }
  }
}
