package io.mailflow.delivery.agent.smtp;

import java.time.Duration;
import java.util.Objects;

/**
 * SmtpClientOptions - how the outbound SMTP client behaves. Defaults follow Exchange 2019's send
 * connectors where Exchange has a setting, RFC 5321 where it does not.
 */
public final class SmtpClientOptions {

  /**
   * 30 s to establish TCP. Exchange exposes no separate connect timeout; this is Postfix's
   * smtp_connect_timeout, short enough that a dead smart host fails over quickly.
   */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(30);

  /**
   * 10 min of silence (no reply, no write progress) ends the session: Exchange's send connector
   * ConnectionInactivityTimeOut. RFC 5321 4.5.3.2 asks for at least 5 min per command and 10 min
   * after the final dot, so one inactivity limit of 10 min honours both.
   */
  public static final Duration DEFAULT_REPLY_TIMEOUT = Duration.ofMinutes(10);

  /** RFC 5321 allows 512 octets per reply line; servers exceed it, so allow 8 KB before calling it garbage. */
  public static final int DEFAULT_MAX_REPLY_LINE_LENGTH = 8192;

  /** PIPELINING (RFC 2920) is used when the server offers it: one round trip for the whole envelope. */
  public static final boolean DEFAULT_PIPELINING = true;

  /**
   * Exchange's send connector SmtpMaxMessagesPerConnection: after this many messages a connection is
   * closed (QUIT) rather than reused. 1 turns connection reuse off.
   */
  public static final int DEFAULT_MAX_MESSAGES_PER_CONNECTION = 20;

  /**
   * A connection kept for the next message to the same host is closed after this long unused. Short,
   * like Postfix's smtp_connection_cache_time_limit (2 s): reuse pays off for a queue that is flowing,
   * and an idle connection holds a slot of the remote's connection limit.
   */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(5);

  /** Exchange's MaxPerDomainOutboundConnections: connections open to one host:port at once, in use or idle. */
  public static final int DEFAULT_MAX_CONNECTIONS_PER_DESTINATION = 20;

  /**
   * Exchange's MaxOutboundConnections: SMTP sessions delivery runs at once, all destinations together. The
   * delivery stage enforces it (its DestinationLimiter); the client itself does not.
   */
  public static final int DEFAULT_MAX_OUTBOUND_CONNECTIONS = 1000;

  private String heloName = "localhost";
  private int maxMessagesPerConnection = DEFAULT_MAX_MESSAGES_PER_CONNECTION;
  private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
  private int maxConnectionsPerDestination = DEFAULT_MAX_CONNECTIONS_PER_DESTINATION;
  private int maxOutboundConnections = DEFAULT_MAX_OUTBOUND_CONNECTIONS;
  private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
  private Duration replyTimeout = DEFAULT_REPLY_TIMEOUT;
  private int maxReplyLineLength = DEFAULT_MAX_REPLY_LINE_LENGTH;
  private boolean pipelining = DEFAULT_PIPELINING;
  private TlsPolicy tls = TlsPolicy.OPPORTUNISTIC;
  private SmartHostAuth auth = SmartHostAuth.NONE;
  private boolean lmtp;
  private SendProtocolLog protocolLog = SendProtocolLog.NONE;

  public SmtpClientOptions() {}

  public SmtpClientOptions(SmtpClientOptions other) {
    this.heloName = other.heloName;
    this.connectTimeout = other.connectTimeout;
    this.replyTimeout = other.replyTimeout;
    this.maxReplyLineLength = other.maxReplyLineLength;
    this.pipelining = other.pipelining;
    this.maxMessagesPerConnection = other.maxMessagesPerConnection;
    this.idleTimeout = other.idleTimeout;
    this.maxConnectionsPerDestination = other.maxConnectionsPerDestination;
    this.tls = other.tls;
    this.auth = other.auth;
    this.protocolLog = other.protocolLog;
    this.lmtp = other.lmtp;
    this.maxOutboundConnections = other.maxOutboundConnections;
  }

  /** STARTTLS use: {@link TlsPolicy#OPPORTUNISTIC} unless the send connector requires TLS. */
  public TlsPolicy getTls() {
    return tls;
  }

  public SmtpClientOptions setTls(TlsPolicy tls) {
    this.tls = Objects.requireNonNull(tls, "tls");
    return this;
  }

  /** AUTH to the remote: {@link SmartHostAuth#NONE} unless the send connector has a SmartHostAuthMechanism. */
  /** Where the sessions' protocol lines go: {@link SendProtocolLog#NONE} unless the connector is Verbose. */
  public SendProtocolLog getProtocolLog() {
    return protocolLog;
  }

  public SmtpClientOptions setProtocolLog(SendProtocolLog protocolLog) {
    this.protocolLog = Objects.requireNonNull(protocolLog, "protocolLog");
    return this;
  }

  public SmartHostAuth getAuth() {
    return auth;
  }

  public SmtpClientOptions setAuth(SmartHostAuth auth) {
    this.auth = Objects.requireNonNull(auth, "auth");
    return this;
  }

  /**
   * LMTP (RFC 2033) instead of SMTP: LHLO instead of EHLO, and after the final dot one reply per accepted
   * recipient. No STARTTLS or AUTH (a mailbox store on a trusted network), no HELO fallback.
   */
  public boolean isLmtp() {
    return lmtp;
  }

  public SmtpClientOptions setLmtp(boolean lmtp) {
    this.lmtp = lmtp;
    return this;
  }

  public int getMaxOutboundConnections() {
    return maxOutboundConnections;
  }

  public SmtpClientOptions setMaxOutboundConnections(int maxOutboundConnections) {
    if (maxOutboundConnections < 1) {
      throw new IllegalArgumentException("maxOutboundConnections must be at least 1, got " + maxOutboundConnections);
    }
    this.maxOutboundConnections = maxOutboundConnections;
    return this;
  }

  public int getMaxMessagesPerConnection() {
    return maxMessagesPerConnection;
  }

  public SmtpClientOptions setMaxMessagesPerConnection(int maxMessagesPerConnection) {
    if (maxMessagesPerConnection < 1) {
      throw new IllegalArgumentException(
          "maxMessagesPerConnection must be at least 1, got " + maxMessagesPerConnection);
    }
    this.maxMessagesPerConnection = maxMessagesPerConnection;
    return this;
  }

  public Duration getIdleTimeout() {
    return idleTimeout;
  }

  public SmtpClientOptions setIdleTimeout(Duration idleTimeout) {
    this.idleTimeout = positive("idleTimeout", idleTimeout);
    return this;
  }

  public int getMaxConnectionsPerDestination() {
    return maxConnectionsPerDestination;
  }

  public SmtpClientOptions setMaxConnectionsPerDestination(int maxConnectionsPerDestination) {
    if (maxConnectionsPerDestination < 1) {
      throw new IllegalArgumentException(
          "maxConnectionsPerDestination must be at least 1, got " + maxConnectionsPerDestination);
    }
    this.maxConnectionsPerDestination = maxConnectionsPerDestination;
    return this;
  }

  /** The name we give in EHLO/HELO: the send connector's Fqdn, else this server's FQDN. */
  public String getHeloName() {
    return heloName;
  }

  public SmtpClientOptions setHeloName(String heloName) {
    Objects.requireNonNull(heloName, "heloName");
    if (heloName.isBlank() || heloName.chars().anyMatch(c -> c <= ' ' || c >= 127)) {
      throw new IllegalArgumentException(
          "heloName must be a host name without spaces or control characters, got '" + heloName + "'");
    }
    this.heloName = heloName;
    return this;
  }

  public Duration getConnectTimeout() {
    return connectTimeout;
  }

  public SmtpClientOptions setConnectTimeout(Duration connectTimeout) {
    this.connectTimeout = positive("connectTimeout", connectTimeout);
    return this;
  }

  public Duration getReplyTimeout() {
    return replyTimeout;
  }

  public SmtpClientOptions setReplyTimeout(Duration replyTimeout) {
    this.replyTimeout = positive("replyTimeout", replyTimeout);
    return this;
  }

  public int getMaxReplyLineLength() {
    return maxReplyLineLength;
  }

  public SmtpClientOptions setMaxReplyLineLength(int maxReplyLineLength) {
    if (maxReplyLineLength < 512) {
      throw new IllegalArgumentException(
          "maxReplyLineLength must be at least 512 (RFC 5321 4.5.3.1.5), got " + maxReplyLineLength);
    }
    this.maxReplyLineLength = maxReplyLineLength;
    return this;
  }

  public boolean isPipelining() {
    return pipelining;
  }

  public SmtpClientOptions setPipelining(boolean pipelining) {
    this.pipelining = pipelining;
    return this;
  }

  private static Duration positive(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
    if (value.toMillis() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(name + " is too long: " + value);
    }
    return value;
  }
}
