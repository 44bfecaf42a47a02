package io.mailflow.delivery.agent.smtp;

import io.mailflow.delivery.core.ConnectionFailure;
import io.mailflow.delivery.core.ConnectionFailure.Kind;
import io.mailflow.smtp.MalformedReplyException;
import io.mailflow.smtp.SmtpReply;
import io.mailflow.smtp.SmtpReplyReader;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * SmtpConnection - one client connection to an SMTP server: writes commands, hands back each reply in
 * order, and turns silence, disconnects and garbage into a {@link SessionFailedException}.
 *
 * <p>Replies are matched to waiting commands first in, first out, which is also what makes
 * PIPELINING (RFC 2920) work: issue several commands, then take their replies in order. One
 * inactivity timer runs while anything is awaited and restarts on every line read and every chunk
 * written, so a slow but moving transfer is never cut off while a silent peer is. All methods run on
 * the socket's event loop.
 */
final class SmtpConnection {

  /** Body bytes go out in chunks this big so that write progress restarts the inactivity timer. */
  private static final int WRITE_CHUNK = 64 * 1024;

  private final Vertx vertx;
  private final NetSocket socket;
  private final String endpoint;
  private final long timeoutMillis;
  private final SmtpReplyReader reader = new SmtpReplyReader();
  private final Deque<Waiting> waiting = new ArrayDeque<>();
  private final Deque<SmtpReply> unclaimed = new ArrayDeque<>();
  private long timerId = -1;
  private ConnectionFailure failure;
  private String lastPhase = "greeting";
  private final SendProtocolLog.Session log;

  private static final class Waiting {
    private String phase;
    private final Promise<SmtpReply> promise;

    Waiting(String phase, Promise<SmtpReply> promise) {
      this.phase = phase;
      this.promise = promise;
    }

    String phase() {
      return phase;
    }

    Promise<SmtpReply> promise() {
      return promise;
    }
  }

  SmtpConnection(Vertx vertx, NetSocket socket, String endpoint, Duration replyTimeout, int maxLineLength) {
    this(vertx, socket, endpoint, replyTimeout, maxLineLength, SendProtocolLog.NONE);
  }

  /** @param protocolLog where this session's lines go (SEND files, mail.protocol.v1); NONE: nowhere */
  SmtpConnection(Vertx vertx, NetSocket socket, String endpoint, Duration replyTimeout, int maxLineLength,
      SendProtocolLog protocolLog) {
    this.log = protocolLog.open(String.valueOf(socket.localAddress()), String.valueOf(socket.remoteAddress()));
    log.connected();
    this.vertx = vertx;
    this.socket = socket;
    this.endpoint = endpoint;
    this.timeoutMillis = replyTimeout.toMillis();
    RecordParser lines = RecordParser.newDelimited("\n", this::onLine).maxRecordSize(maxLineLength);
    socket.handler(data -> {
      try {
        lines.handle(data);
      } catch (IllegalStateException tooLong) {
        fail(Kind.PROTOCOL_ERROR, "reply line longer than " + maxLineLength + " octets");
      }
    });
    socket.exceptionHandler(e -> fail(Kind.DROPPED, e.getMessage() == null ? e.toString() : e.getMessage()));
    socket.closeHandler(v -> fail(Kind.DROPPED, ""));
  }

  String endpoint() {
    return endpoint;
  }

  /**
   * True while the connection can carry another transaction: still open, nothing awaited, and nothing
   * said unasked (a server that times an idle client out says 421 and closes).
   */
  boolean usable() {
    return failure == null && waiting.isEmpty() && unclaimed.isEmpty();
  }

  /** The next reply, for protocol step {@code phase} (greeting, EHLO ...). */
  Future<SmtpReply> readReply(String phase) {
    if (!unclaimed.isEmpty()) {
      return Future.succeededFuture(unclaimed.poll());
    }
    if (failure != null) {
      return Future.failedFuture(new SessionFailedException(
          new ConnectionFailure(failure.kind(), endpoint, phase, failure.detail())));
    }
    Promise<SmtpReply> promise = Promise.promise();
    waiting.add(new Waiting(phase, promise));
    if (waiting.size() == 1) {
      restartTimer();
    }
    return promise.future();
  }

  /** Sends {@code line} and the reply to it. */
  Future<SmtpReply> command(String line, String phase) {
    Future<SmtpReply> reply = readReply(phase);
    if (failure == null) {
      lastPhase = phase;
      log.sent(line);
      socket.write(Buffer.buffer(line + "\r\n", StandardCharsets.UTF_8.name()));
    }
    return reply;
  }

  /**
   * Sends {@code verb} followed by {@code credentials} (AUTH PLAIN's initial response: {@code verb} is "AUTH PLAIN"),
   * or credentials alone (an AUTH LOGIN response: {@code verb} null), and the reply to it. The protocol log gets the
   * verb and a {@code *} line, never the credentials.
   */
  Future<SmtpReply> credentials(String verb, String credentials, String phase) {
    Future<SmtpReply> reply = readReply(phase);
    if (failure == null) {
      lastPhase = phase;
      if (verb != null) {
        log.sent(verb);
      }
      log.credentialsSent();
      socket.write(Buffer.buffer((verb == null ? "" : verb + " ") + credentials + "\r\n",
          StandardCharsets.UTF_8.name()));
    }
    return reply;
  }

  /**
   * Writes {@code data} (the dot-stuffed DATA stream) in chunks, waiting for the socket to drain when
   * its queue is full; call {@link #readReply} for the final reply first so the timer covers the write.
   */
  Future<Void> writeData(byte[] data, String phase) {
    lastPhase = phase;
    Promise<Void> done = Promise.promise();
    writeFrom(data, 0, done);
    return done.future();
  }

  private void writeFrom(byte[] data, int offset, Promise<Void> done) {
    if (failure != null) {
      done.tryFail(new SessionFailedException(failure));
      return;
    }
    int at = offset;
    while (at < data.length) {
      int n = Math.min(WRITE_CHUNK, data.length - at);
      socket.write(Buffer.buffer().appendBytes(data, at, n)).onSuccess(v -> progress());
      at += n;
      if (socket.writeQueueFull()) {
        int next = at;
        socket.drainHandler(v -> {
          socket.drainHandler(null);
          progress();
          writeFrom(data, next, done);
        });
        return;
      }
    }
    done.tryComplete();
  }

  /** Renames the step the oldest awaited reply belongs to (message transfer, then the wait after the dot). */
  void nowAwaiting(String phase) {
    Waiting head = waiting.peek();
    if (head != null) {
      head.phase = phase;
    }
  }

  /**
   * Starts TLS on this connection, after the server's 220 to STARTTLS; fails when the handshake or the
   * certificate check fails. Replies read afterwards come through TLS.
   */
  Future<Void> upgradeToTls(ClientSSLOptions ssl, String serverName) {
    lastPhase = "TLS negotiation";
    return socket.upgradeToSsl(ssl, serverName).andThen(ar -> {
      if (ar.succeeded()) {
        javax.net.ssl.SSLSession tls = socket.sslSession();
        log.tlsNegotiated(tls == null ? "?" : tls.getProtocol(), tls == null ? "?" : tls.getCipherSuite(),
            peerCertificates());
      } else {
        Throwable e = ar.cause();
        log.info(null, "TLS negotiation failed with error " + (e.getMessage() == null ? e.toString() : e.getMessage()));
      }
    });
  }

  /** The server's certificate chain, leaf first (empty before TLS). */
  java.util.List<java.security.cert.Certificate> peerCertificates() {
    try {
      return socket.peerCertificates();
    } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
      return java.util.List.of();
    }
  }

  /** True once TLS is on. */
  boolean encrypted() {
    return socket.isSsl();
  }

  /** Says QUIT, waits briefly for the goodbye, and closes; never fails. */
  Future<Void> quit() {
    if (failure != null) {
      socket.close();
      return Future.succeededFuture();
    }
    return command("QUIT", "QUIT").transform(ar -> close());
  }

  /** Closes without ceremony. */
  Future<Void> close() {
    log.disconnected("Local");
    cancelTimer();
    if (failure == null) {
      failure = new ConnectionFailure(Kind.DROPPED, endpoint, lastPhase, "closed by us");
    }
    return socket.close().recover(e -> Future.succeededFuture());
  }

  private void onLine(Buffer buffer) {
    int length = buffer.length();
    if (length > 0 && buffer.getByte(length - 1) == '\r') {
      length--;
    }
    String line = buffer.getString(0, length, StandardCharsets.UTF_8.name());
    SmtpReply reply;
    try {
      reply = reader.accept(line);
    } catch (MalformedReplyException e) {
      fail(Kind.PROTOCOL_ERROR, e.getMessage());
      return;
    }
    progress();
    if (reply == null) {
      return;
    }
    log.received(reply);
    Waiting next = waiting.poll();
    if (next == null) {
      unclaimed.add(reply); // e.g. a 421 before closing, read by whoever asks next
      return;
    }
    if (waiting.isEmpty()) {
      cancelTimer();
    }
    next.promise().complete(reply);
  }

  private void progress() {
    if (!waiting.isEmpty() && failure == null) {
      restartTimer();
    }
  }

  private void restartTimer() {
    cancelTimer();
    timerId = vertx.setTimer(timeoutMillis, id -> {
      timerId = -1;
      fail(Kind.TIMED_OUT, "no reply within " + humanDuration(timeoutMillis));
    });
  }

  private void cancelTimer() {
    if (timerId != -1) {
      vertx.cancelTimer(timerId);
      timerId = -1;
    }
  }

  private void fail(Kind kind, String detail) {
    if (failure != null) {
      return;
    }
    String phase = waiting.isEmpty() ? lastPhase : waiting.peek().phase();
    failure = new ConnectionFailure(kind, endpoint, phase, detail);
    log.disconnected(kind == Kind.DROPPED ? "Remote" : "Local");
    cancelTimer();
    Waiting w;
    while ((w = waiting.poll()) != null) {
      w.promise().tryFail(new SessionFailedException(
          new ConnectionFailure(kind, endpoint, w.phase(), detail)));
    }
    if (kind != Kind.DROPPED) {
      socket.close();
    }
  }

  private static String humanDuration(long millis) {
    return millis % 1000 == 0 ? (millis / 1000) + " s" : millis + " ms";
  }
}
