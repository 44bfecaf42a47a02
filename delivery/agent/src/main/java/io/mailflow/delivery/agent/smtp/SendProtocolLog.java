package io.mailflow.delivery.agent.smtp;

import io.mailflow.schemas.avro.ProtocolDirection;
import io.mailflow.schemas.avro.ProtocolEvent;
import io.mailflow.smtp.SmtpReply;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * SendProtocolLog - the send protocol log of one send connector (Exchange's SmtpSend log): each outbound session's
 * events in Exchange's fields, with direction Send: {@code +} connected, {@code >} each command sent, {@code <} each
 * reply received (a multi-line reply on one line, its lines joined with spaces, as Exchange writes it), {@code *}
 * information (TLS negotiated, the server's certificate), {@code -} disconnected.
 *
 * <p>Credentials never reach it: {@code AUTH PLAIN}'s initial response and AUTH LOGIN's username and password are
 * written as {@code *} lines without data, and the server's 334 challenges as {@code 334 <authentication response>},
 * as Exchange does. The events go to {@code sink} on the connection's event loop; it must not block (the delivery
 * stage's sink is TopicPublisher.send, which never does). {@link #NONE} (connectors with protocolLoggingLevel None)
 * writes nothing.
 */
public final class SendProtocolLog {
  /** Nothing logged: Exchange's protocolLoggingLevel None. */
  public static final SendProtocolLog NONE = new SendProtocolLog(null, null, null);
  /** What a credential line or an AUTH challenge shows instead of its bytes (Exchange's words). */
  public static final String AUTHENTICATION_RESPONSE = "<authentication response>";
  /** Session ids: 16 hex digits as Exchange's, counting up from the start time so they sort by age. */
  private static final AtomicLong SESSIONS = new AtomicLong(System.currentTimeMillis() << 16);

  private final String connectorId;
  private final Consumer<ProtocolEvent> sink;
  private final Clock clock;

  /**
   * @param connectorId Exchange's connector-id: the send connector's name, or the implicit
   *     {@code Intra-Organization SMTP Send Connector}
   */
  public SendProtocolLog(String connectorId, Consumer<ProtocolEvent> sink, Clock clock) {
    this.connectorId = connectorId;
    this.sink = sink;
    this.clock = clock;
  }

  public boolean enabled() {
    return sink != null;
  }

  public String connectorId() {
    return connectorId;
  }

  /** A new session between {@code local} and {@code remote} ({@code ip:port}); logs nothing when not enabled. */
  Session open(String local, String remote) {
    return new Session(String.format("%016X", SESSIONS.getAndIncrement()), local, remote);
  }

  /** One outbound session's lines, numbered from 0. Confined to the connection's event loop. */
  final class Session {
    private final String sessionId;
    private final String local;
    private final String remote;
    private long sequence;
    private boolean disconnected;

    private Session(String sessionId, String local, String remote) {
      this.sessionId = sessionId;
      this.local = local;
      this.remote = remote;
    }

    String sessionId() {
      return sessionId;
    }

    void connected() {
      emit("+", null, null);
    }

    /** A command as sent; never one carrying credentials (see {@link #credentialsSent}). */
    void sent(String line) {
      emit(">", line, null);
    }

    /** A line of credentials went out: logged without its bytes. */
    void credentialsSent() {
      emit("*", null, AUTHENTICATION_RESPONSE);
    }

    void received(SmtpReply reply) {
      if (!enabled()) {
        return;
      }
      String status = reply.enhancedStatus().isEmpty() ? "" : reply.enhancedStatus() + " ";
      String text = reply.code() == 334 ? AUTHENTICATION_RESPONSE : status + String.join(" ", reply.lines());
      emit("<", reply.code() + (reply.lines().size() > 1 ? "-" : " ") + text, null);
    }

    /** TLS is on: the protocol and cipher, then the server's certificate as Exchange lists it. */
    void tlsNegotiated(String protocol, String cipher, List<Certificate> chain) {
      if (!enabled()) {
        return;
      }
      emit("*", null, "Received certificate");
      if (!chain.isEmpty() && chain.get(0) instanceof X509Certificate leaf) {
        emit("*", leaf.getSubjectX500Principal().getName(), "Certificate subject");
        emit("*", leaf.getIssuerX500Principal().getName(), "Certificate issuer name");
        emit("*", leaf.getSerialNumber().toString(16).toUpperCase(java.util.Locale.ROOT), "Certificate serial number");
        emit("*", thumbprint(leaf), "Certificate thumbprint");
      }
      emit("*", null, "TLS protocol " + protocol + " negotiation succeeded using cipher " + cipher);
    }

    void info(String data, String context) {
      emit("*", data, context);
    }

    /** Once: "Local" when we closed, "Remote" when the server did. */
    void disconnected(String context) {
      if (disconnected) {
        return;
      }
      disconnected = true;
      emit("-", null, context);
    }

    private void emit(String event, String data, String context) {
      if (!enabled()) {
        return;
      }
      sink.accept(ProtocolEvent.newBuilder()
          .setDateTime(clock.instant())
          .setConnectorId(connectorId)
          .setSessionId(sessionId)
          .setSequenceNumber(sequence++)
          .setLocalEndpoint(local)
          .setRemoteEndpoint(remote)
          .setEvent(event)
          .setData(data)
          .setContext(context)
          .setDirection(ProtocolDirection.Send)
          .build());
    }
  }

  /** SHA-1 of the DER encoding in hex, as Windows shows certificate thumbprints. */
  private static String thumbprint(X509Certificate certificate) {
    try {
      return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-1").digest(
          certificate.getEncoded()));
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      return "";
    }
  }
}
