package io.mailflow.edge.server;

import io.mailflow.edge.protocol.Reply;
import io.mailflow.edge.protocol.SessionInfo;
import io.mailflow.edge.protocol.SessionOutput;
import io.mailflow.edge.protocol.SmtpSession;
import io.mailflow.organization.ReceiveConnector;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.TimeUnit;

/**
 * SmtpConnection - joins one accepted socket to an {@link SmtpSession} on the socket's event loop:
 * bytes in, replies out, timeouts, protocol log. Nothing here blocks.
 */
final class SmtpConnection implements SessionOutput {
  private final EdgeConnector edge;
  private final NetSocket socket;
  private final Context context;
  private SmtpSession session;
  private ProtocolLog log;
  private long lastActivity = System.nanoTime();
  private long inactivityTimer = -1;
  private long sessionTimer = -1;
  private boolean closedByServer;
  private boolean gone;

  private SmtpConnection(EdgeConnector edge, NetSocket socket, Context context) {
    this.edge = edge;
    this.socket = socket;
    this.context = context;
  }

  /** Starts the session of a socket just accepted; call on the socket's context. */
  static void accept(EdgeConnector edge, NetSocket socket) {
    new SmtpConnection(edge, socket, edge.vertx().getOrCreateContext()).start();
  }

  private void start() {
    String sessionId = edge.ids().nextSessionId();
    InetSocketAddress remote = inet(socket.remoteAddress());
    InetSocketAddress local = inet(socket.localAddress());
    log = new ProtocolLog(
        edge.connector().protocolLoggingLevel() == ReceiveConnector.ProtocolLoggingLevel.Verbose,
        edge.events(), edge.options().clock(), edge.connectorId(), sessionId, endpoint(local), endpoint(remote));
    log.connected();
    session = new SmtpSession(edge.smtp(), new EdgeSessionHooks(edge, context, log), this,
        SessionInfo.connected(sessionId, remote, local, false), r -> context.runOnContext(v -> r.run()));
    socket.handler(this::received);
    socket.closeHandler(v -> closed());
    socket.exceptionHandler(e -> log.info(e.toString(), "Socket error"));
    scheduleInactivityCheck(inactivityMillis());
    sessionTimer = edge.vertx().setTimer(
        TimeUnit.SECONDS.toMillis(edge.connector().connectionTimeoutSeconds()), id -> {
          sessionTimer = -1;
          log.info(null, "Connection timeout (" + edge.connector().connectionTimeoutSeconds() + " s)");
          session.timedOut();
        });
    session.start();
  }

  private void received(Buffer buffer) {
    lastActivity = System.nanoTime();
    session.feed(buffer.getBytes());
  }

  /** Wakes when the client may have been idle too long; idle time while the edge itself is busy does not count. */
  private void scheduleInactivityCheck(long delayMillis) {
    inactivityTimer = edge.vertx().setTimer(Math.max(1, delayMillis), id -> {
      inactivityTimer = -1;
      if (gone || session.isClosed()) {
        return;
      }
      long idle = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastActivity);
      if (session.isBusy()) {
        scheduleInactivityCheck(inactivityMillis());
      } else if (idle >= inactivityMillis()) {
        log.info(null, "Inactivity timeout (" + edge.connector().connectionInactivityTimeoutSeconds() + " s)");
        session.timedOut();
      } else {
        scheduleInactivityCheck(inactivityMillis() - idle);
      }
    });
  }

  private long inactivityMillis() {
    return TimeUnit.SECONDS.toMillis(edge.connector().connectionInactivityTimeoutSeconds());
  }

  private void closed() {
    gone = true;
    cancelTimers();
    if (!session.isClosed()) {
      session.disconnected(); // mid-DATA: nothing was handed over, nothing is queued
    }
    log.disconnected(closedByServer ? "Local" : "Remote");
  }

  private void cancelTimers() {
    if (inactivityTimer >= 0) {
      edge.vertx().cancelTimer(inactivityTimer);
    }
    if (sessionTimer >= 0) {
      edge.vertx().cancelTimer(sessionTimer);
    }
  }

  // ---- SessionOutput

  @Override
  public void send(Reply reply) {
    log.sent(reply);
    socket.write(Buffer.buffer(reply.bytes()));
  }

  @Override
  public void close() {
    closedByServer = true;
    socket.end(); // after what was written
  }

  @Override
  public void commandReceived(String line) {
    log.received(line);
  }

  @Override
  public void inputHeld(boolean held) {
    if (held) {
      socket.pause();
    } else {
      lastActivity = System.nanoTime(); // the client waited for us; its idle clock starts now
      socket.resume();
    }
  }

  private static InetSocketAddress inet(SocketAddress address) {
    try {
      // a literal address: no DNS lookup happens
      return new InetSocketAddress(InetAddress.getByName(address.hostAddress()), address.port());
    } catch (UnknownHostException | RuntimeException e) {
      return InetSocketAddress.createUnresolved(String.valueOf(address.host()), address.port());
    }
  }

  private static String endpoint(InetSocketAddress address) {
    String host = address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
  }
}
