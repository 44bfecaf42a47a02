package io.mailflow.edge.server;

import io.mailflow.edge.protocol.SessionInfo;
import io.mailflow.edge.protocol.SessionOutput;
import io.mailflow.edge.protocol.SmtpSession;
import io.mailflow.organization.IpRange;
import io.mailflow.organization.ReceiveConnector;
import io.mailflow.smtp.SmtpReply;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.security.cert.Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * SmtpConnection - joins one accepted socket to an {@link SmtpSession} on the socket's event loop:
 * bytes in, replies out, timeouts, protocol log. Nothing here blocks.
 */
final class SmtpConnection implements SessionOutput {
  private final EdgeConnector edge;
  private final NetSocket socket;
  private final Context context;
  private SmtpSession session;
  /** This session's hooks: told when the client goes away while a queue write is unanswered. */
  private EdgeSessionHooks hooks;
  private ProtocolLog log;
  private long lastActivity = System.nanoTime();
  private long inactivityTimer = -1;
  private long sessionTimer = -1;
  private boolean closedByServer;
  private boolean gone;
  private String counted; // the source counted in the connector's ConnectionLimits, released at close

  private SmtpConnection(EdgeConnector edge, NetSocket socket, Context context) {
    this.edge = edge;
    this.socket = socket;
    this.context = context;
  }

  /**
   * Starts the session of a socket just accepted by {@code edge}'s connector (chosen by {@code range});
   * call on the socket's context. Over the connector's connection limits the client gets 421 4.3.2.
   */
  static void accept(EdgeConnector edge, NetSocket socket, IpRange range) {
    SmtpConnection connection = new SmtpConnection(edge, socket, edge.vertx().getOrCreateContext());
    String source = connection.clientIp();
    edge.meters().connections.increment();
    if (!edge.limits().tryOpen(source)) {
      refuse(edge, socket, EdgeReplies.TOO_MANY_CONNECTIONS, "Connection limit reached (maxInboundConnection "
          + edge.connector().maxInboundConnection() + ", maxInboundConnectionPerSource "
          + edge.connector().maxInboundConnectionPerSource() + ")");
      return;
    }
    connection.counted = source;
    connection.start(range);
  }

  /**
   * Answers a connection the edge will not serve with {@code reply} (a 421) and closes it; the protocol
   * log gets the session with {@code why}. {@code edge} names the connector in the log.
   */
  static void refuse(EdgeConnector edge, NetSocket socket, SmtpReply reply, String why) {
    ProtocolLog log = new ProtocolLog(
        edge.connector().protocolLoggingLevel() == ReceiveConnector.ProtocolLoggingLevel.Verbose, edge.events(),
        edge.options().clock(), edge.connectorId(), edge.ids().nextSessionId(),
        endpoint(inet(socket.localAddress())), endpoint(inet(socket.remoteAddress())));
    log.connected();
    log.info(null, why);
    log.sent(reply);
    edge.meters().reply(reply);
    socket.closeHandler(v -> log.disconnected("Local"));
    socket.write(Buffer.buffer(reply.bytes()));
    socket.end();
  }

  private String clientIp() {
    InetSocketAddress remote = inet(socket.remoteAddress());
    return remote.getAddress() != null ? remote.getAddress().getHostAddress() : remote.getHostString();
  }

  private void start(IpRange range) {
    String sessionId = edge.ids().nextSessionId();
    InetSocketAddress remote = inet(socket.remoteAddress());
    InetSocketAddress local = inet(socket.localAddress());
    log = new ProtocolLog(
        edge.connector().protocolLoggingLevel() == ReceiveConnector.ProtocolLoggingLevel.Verbose,
        edge.events(), edge.options().clock(), edge.connectorId(), sessionId, endpoint(local), endpoint(remote));
    log.connected();
    edge.meters().sessions.increment();
    edge.meters().openSessions.incrementAndGet();
    log.info("remote IP range " + range + " of receive connector '" + edge.connector().name() + "'",
        "Selected receive connector");
    boolean tls = edge.connector().implicitTls();
    if (tls) {
      edge.meters().tlsSucceeded.increment(); // Vert.x accepted the socket only after the handshake
      log.info(describe(socket.sslSession()), "TLS negotiation succeeded");
      checkClientCertificate(sessionId);
    }
    if (edge.connector().externallySecured()) {
      // Exchange's ExternalAuthoritative: the network vouches for the client, no protocol step does
      log.info(SessionPrincipal.EXTERNALLY_SECURED.describe(), "authenticated");
    }
    hooks = new EdgeSessionHooks(edge, context, log);
    session = new SmtpSession(edge.smtp(), hooks, this,
        SessionInfo.connected(sessionId, remote, local, tls), r -> context.runOnContext(v -> r.run()));
    log.info(SessionRights.describe(edge.policy().rights(session.info())), "Set Session Permissions");
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
    edge.meters().openSessions.decrementAndGet();
    if (counted != null) {
      edge.limits().closed(counted);
      counted = null;
    }
    cancelTimers();
    edge.policy().ended(session.info().sessionId());
    if (!session.isClosed()) {
      session.disconnected(); // mid-DATA: nothing was handed over, nothing is queued
    }
    if (hooks != null) {
      hooks.disconnected(); // after the end of data, still unanswered: taken back if it can be
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
  public void send(SmtpReply reply) {
    log.sent(reply);
    edge.meters().reply(reply);
    socket.write(Buffer.buffer(reply.bytes()));
  }

  @Override
  public void close() {
    closedByServer = true;
    socket.end(); // after what was written
  }

  @Override
  public void startTls() {
    throw new UnsupportedOperationException("the 220 and the TLS layer go together: startTls(SmtpReply)");
  }

  /**
   * STARTTLS: the 220 goes out as Vert.x's upgrade message, so the TLS layer is in place the moment it
   * is written (the client's ClientHello follows at once); then the engine starts over inside TLS.
   * Anything the client pipelined before the handshake reaches the engine in TLS_HANDSHAKE mode and is
   * dropped.
   */
  @Override
  public void startTls(SmtpReply ready) {
    log.sent(ready);
    edge.meters().reply(ready);
    socket.upgradeToSsl(Buffer.buffer(ready.bytes())).onComplete(done -> {
      if (gone) {
        return;
      }
      if (done.succeeded()) {
        edge.meters().tlsSucceeded.increment();
        log.info(describe(socket.sslSession()), "TLS negotiation succeeded");
        checkClientCertificate(session.info().sessionId());
        session.tlsStarted();
        log.info(SessionRights.describe(edge.policy().rights(session.info())), "Set Session Permissions");
      } else {
        edge.meters().tlsFailed.increment();
        log.info(String.valueOf(done.cause()), "TLS negotiation failed");
        closedByServer = true;
        socket.close();
      }
    });
  }

  /**
   * On a connector that asks for client certificates: what the client's certificate makes the session
   * (an Exchange server, a partner, or still anonymous), with the reason in the protocol log.
   */
  private void checkClientCertificate(String sessionId) {
    ServerAuthentication servers = edge.policy().serverAuthentication();
    if (!servers.requestsCertificate()) {
      return;
    }
    Certificate[] chain;
    try {
      chain = socket.sslSession() == null ? null : socket.sslSession().getPeerCertificates();
    } catch (SSLPeerUnverifiedException none) {
      chain = null;
    }
    ServerAuthentication.Outcome outcome = servers.check(chain);
    if (outcome.subject() != null) {
      log.info(outcome.subject(), "Received certificate");
    }
    edge.policy().authenticated(sessionId, outcome.principal());
    if (outcome.principal().authenticated()) {
      log.info(outcome.principal().describe(), "authenticated");
    } else {
      log.info(outcome.problem(), "Client certificate not accepted; the session stays anonymous");
    }
  }

  @Override
  public void tarpit(Duration delay, Runnable task) {
    log.info(null, "Tarpit for " + delay.toMillis() + " ms");
    edge.meters().tarpits.increment();
    if (delay.isZero()) {
      task.run();
      return;
    }
    edge.vertx().setTimer(delay.toMillis(), id -> {
      if (!gone) {
        task.run();
      }
    });
  }

  @Override
  public void commandReceived(String line) {
    log.received(line);
    edge.meters().command(line);
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

  static InetSocketAddress inet(SocketAddress address) {
    try {
      // a literal address: no DNS lookup happens
      return new InetSocketAddress(InetAddress.getByName(address.hostAddress()), address.port());
    } catch (UnknownHostException | RuntimeException e) {
      return InetSocketAddress.createUnresolved(String.valueOf(address.host()), address.port());
    }
  }

  /** "TLSv1.3 TLS_AES_256_GCM_SHA384": what the handshake agreed, for the protocol log. */
  private static String describe(SSLSession ssl) {
    return ssl == null ? null : ssl.getProtocol() + " " + ssl.getCipherSuite();
  }

  private static String endpoint(InetSocketAddress address) {
    String host = address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
  }
}
