package io.mailflow.delivery.agent.smtp;

import io.mailflow.delivery.core.ConnectionFailure;
import io.mailflow.delivery.core.ConnectionFailure.Kind;
import io.mailflow.smtp.EhloCapabilities;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * VertxSmtpClient - {@link SmtpClient} on a Vert.x NetClient, with a connection cache per destination
 * (host:port): after a transaction it says RSET and keeps the connection for the next message to the
 * same destination, up to {@code maxMessagesPerConnection} messages, closing it after
 * {@code idleTimeout} unused. At most {@code maxConnectionsPerDestination} connections are open to one
 * destination at once, in use or idle; further sends wait for one to come free.
 *
 * <p>All state is confined to the context the client was created on; calls from elsewhere hop onto it.
 */
final class VertxSmtpClient implements SmtpClient {

  private final Vertx vertx;
  private final Context context;
  private final SmtpClientOptions options;
  private final NetClient netClient;
  private final Map<String, Destination> destinations = new HashMap<>();
  /** Connections open or being opened, over all destinations (the sum of their {@code open}); read by meters. */
  private final AtomicInteger openConnections = new AtomicInteger();
  private boolean closing;

  VertxSmtpClient(Vertx vertx, SmtpClientOptions options) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.options = options;
    this.netClient = vertx.createNetClient(new NetClientOptions()
        .setConnectTimeout((int) options.getConnectTimeout().toMillis()));
  }

  @Override
  public int openConnections() {
    return openConnections.get();
  }

  @Override
  public Future<SendResult> send(String host, int port, OutboundMessage message) {
    return onContext(() -> {
      String endpoint = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
      Destination destination = destinations.computeIfAbsent(endpoint, Destination::new);
      return destination.acquire().compose(idle -> idle != null
          ? transact(destination, host, port, idle, message)
          : fresh(destination, host, port, message, false));
    });
  }

  /**
   * A new connection for {@code message}; the caller holds a connection slot of {@code destination}.
   * {@code withoutTls}: the plaintext retry after an opportunistic TLS handshake failed on this host.
   */
  private Future<SendResult> fresh(Destination destination, String host, int port, OutboundMessage message,
      boolean withoutTls) {
    String endpoint = destination.endpoint;
    return netClient.connect(port, host).transform(connected -> {
      if (connected.failed()) {
        destination.closed();
        Throwable cause = connected.cause();
        String detail = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return Future.succeededFuture(MailTransaction.failedBeforeTransaction(endpoint, EhloCapabilities.none(),
            message, new ConnectionFailure(Kind.CONNECT_FAILED, endpoint, "connect", detail)));
      }
      SmtpSession session = new SmtpSession(new SmtpConnection(vertx, connected.result(), endpoint,
          options.getReplyTimeout(), options.getMaxReplyLineLength(), options.getProtocolLog()), options, host,
          withoutTls);
      return session.open().transform(opened -> {
        if (opened.succeeded()) {
          return transact(destination, host, port, session, message);
        }
        session.quit();
        if (session.tlsNegotiationFailed() && !options.getTls().required() && !withoutTls) {
          return fresh(destination, host, port, message, true); // opportunistic: same host, no TLS, same slot
        }
        destination.closed();
        if (opened.cause() instanceof SessionFailedException failed) {
          return Future.succeededFuture(MailTransaction.failedBeforeTransaction(endpoint, session.capabilities(),
              message, failed.failure()));
        }
        return Future.failedFuture(opened.cause());
      });
    });
  }

  private Future<SendResult> transact(Destination destination, String host, int port, SmtpSession session,
      OutboundMessage message) {
    MailTransaction transaction = session.transaction(message);
    return transaction.run().transform(ran -> {
      if (ran.succeeded() && transaction.staleConnection()) {
        session.quit(); // the server had closed it while idle: its slot passes to a new connection
        return fresh(destination, host, port, message, false);
      }
      keepOrClose(destination, session, transaction);
      return ran.succeeded() ? Future.succeededFuture(ran.result()) : Future.failedFuture(ran.cause());
    });
  }

  // After the result is known (the caller is not kept waiting): RSET and keep, or QUIT.
  private void keepOrClose(Destination destination, SmtpSession session, MailTransaction transaction) {
    if (closing || !transaction.leftConnectionClean() || !session.usable()
        || session.transactions() >= options.getMaxMessagesPerConnection()) {
      session.quit();
      destination.closed();
      return;
    }
    session.reset().onComplete(reset -> {
      if (reset.succeeded() && reset.result() && !closing) {
        destination.release(session);
      } else {
        session.quit();
        destination.closed();
      }
    });
  }

  @Override
  public Future<Void> close() {
    return onContext(() -> {
      closing = true;
      List<Future<Void>> quits = new ArrayList<>();
      for (Destination d : List.copyOf(destinations.values())) {
        quits.addAll(d.closeIdle());
      }
      return Future.join(quits).transform(v -> netClient.close());
    });
  }

  /** Idle connections kept for {@code endpoint} (host:port): for tests and a future queue view. */
  Future<Integer> idleConnections(String endpoint) {
    return onContext(() -> {
      Destination d = destinations.get(endpoint);
      return Future.succeededFuture(d == null ? 0 : d.idle.size());
    });
  }

  private <T> Future<T> onContext(Supplier<Future<T>> action) {
    if (Vertx.currentContext() == context) {
      return action.get();
    }
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> {
      try {
        action.get().onComplete(promise);
      } catch (RuntimeException e) {
        promise.fail(e);
      }
    });
    return promise.future();
  }

  /**
   * Destination - the connections to one host:port: idle ones (most recently used first, so surplus
   * ones age out), how many are open, and the sends waiting for a slot.
   */
  private final class Destination {
    private final String endpoint;
    private final ArrayDeque<SmtpSession> idle = new ArrayDeque<>();
    private final ArrayDeque<Promise<SmtpSession>> waiting = new ArrayDeque<>();
    private int open;

    Destination(String endpoint) {
      this.endpoint = endpoint;
    }

    /** An idle session to reuse, or null: the caller may open a new connection (its slot is counted). */
    Future<SmtpSession> acquire() {
      SmtpSession session;
      while ((session = idle.pollLast()) != null) {
        vertx.cancelTimer(session.idleTimer);
        if (session.usable()) {
          return Future.succeededFuture(session);
        }
        session.quit(); // dropped or timed out by the server while idle: not an error for anyone
        open--;
        openConnections.decrementAndGet();
      }
      if (open < options.getMaxConnectionsPerDestination()) {
        open++;
        openConnections.incrementAndGet();
        return Future.succeededFuture(null);
      }
      Promise<SmtpSession> turn = Promise.promise();
      waiting.add(turn);
      return turn.future();
    }

    /** A session fit for another transaction: to the next waiting send, else idle until the idle timeout. */
    void release(SmtpSession session) {
      Promise<SmtpSession> next = waiting.poll();
      if (next != null) {
        next.complete(session);
        return;
      }
      idle.addLast(session);
      session.idleTimer = vertx.setTimer(options.getIdleTimeout().toMillis(), id -> {
        if (idle.remove(session)) {
          session.quit();
          closed();
        }
      });
    }

    /** A connection of this destination is gone: its slot goes to the next waiting send, or is freed. */
    void closed() {
      Promise<SmtpSession> next = waiting.poll();
      if (next != null) {
        next.complete(null); // the slot passes on: that send opens a new connection
        return;
      }
      open--;
      openConnections.decrementAndGet();
      if (open <= 0 && idle.isEmpty()) {
        destinations.remove(endpoint);
      }
    }

    List<Future<Void>> closeIdle() {
      List<Future<Void>> quits = new ArrayList<>();
      SmtpSession session;
      while ((session = idle.poll()) != null) {
        vertx.cancelTimer(session.idleTimer);
        quits.add(session.quit());
        open--;
        openConnections.decrementAndGet();
      }
      if (open <= 0) {
        destinations.remove(endpoint);
      }
      return quits;
    }
  }
}
