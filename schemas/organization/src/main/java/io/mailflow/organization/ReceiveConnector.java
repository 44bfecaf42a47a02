package io.mailflow.organization;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * ReceiveConnector - one listener policy of the SMTP edge (Exchange's New-ReceiveConnector).
 *
 * <p>Defaults are Exchange's: maxMessageSize 36 MB, maxRecipientsPerMessage 200, maxInboundConnection
 * 5000, maxInboundConnectionPerSource 20, maxHeaderSize 256 KB, maxProtocolErrors 5,
 * connectionTimeout 10 min, connectionInactivityTimeout 5 min, protocolLoggingLevel None,
 * maxLogonFailures 3, tarpitInterval 5 s; remoteIpRanges default to everything.
 *
 * @param certificate the TLS certificate for STARTTLS and implicit TLS, or null: the node's default
 *     certificate (the self-signed one {@code mailflow run} makes) is used then, if there is one
 * @param implicitTls TLS from the first byte (RFC 8314, port 465) instead of STARTTLS
 * @param maxLogonFailures failed AUTH attempts before the session is tarpitted and dropped (0: never)
 * @param tarpitInterval how long the last failed AUTH reply is held back before the drop
 * @param permissions explicit extended-right grants and denials (Exchange's Add-ADPermission)
 * @param messageRateLimit messages per minute one source may submit ({@link #UNLIMITED}: no limit, Exchange's default)
 * @param messageRateSource what a source is for {@code messageRateLimit}: the user, the client IP, or both
 * @param trustedCertificates PEM files (absolute paths) of the CA or self-signed certificates a client
 *     certificate must chain to; with them (and TLS) the connector asks clients for a certificate during
 *     the handshake: ExchangeServer authentication and domain-secure Partners
 * @param requireTls Exchange's RequireTLS (default false): no mail transaction before the session runs
 *     over TLS; MAIL FROM in the clear gets {@code 530 5.7.0 Must issue a STARTTLS command first}
 * @param tlsCipherSuites the cipher suites offered (IANA names; TLS 1.2 and 1.3 only), by default
 *     {@link TlsCipherPolicy#DEFAULT_CIPHER_SUITES}; each keeps to {@link TlsCipherPolicy#problem}
 * @param authFailureLimits failed AUTH counted across sessions: tarpit, then 454 4.7.0 per client IP
 */
public record ReceiveConnector(
    String name,
    List<Binding> bindings,
    List<String> remoteIpRanges,
    Set<PermissionGroup> permissionGroups,
    Set<AuthMechanism> authMechanisms,
    String fqdn,
    String banner,
    long maxMessageSize,
    int maxRecipientsPerMessage,
    int maxInboundConnection,
    int maxInboundConnectionPerSource,
    int maxHeaderSize,
    int maxProtocolErrors,
    int connectionTimeoutSeconds,
    int connectionInactivityTimeoutSeconds,
    ProtocolLoggingLevel protocolLoggingLevel,
    Certificate certificate,
    boolean implicitTls,
    int maxLogonFailures,
    Duration tarpitInterval,
    List<Permission> permissions,
    int messageRateLimit,
    MessageRateSource messageRateSource,
    List<String> trustedCertificates,
    boolean requireTls,
    List<String> tlsCipherSuites,
    AuthFailureLimits authFailureLimits) {

  /** The value of a count limit written {@code unlimited} in the YAML. */
  public static final int UNLIMITED = Integer.MAX_VALUE;
  public static final int DEFAULT_MESSAGE_RATE_LIMIT = UNLIMITED;
  public static final MessageRateSource DEFAULT_MESSAGE_RATE_SOURCE = MessageRateSource.IPAddress;
  public static final long DEFAULT_MAX_MESSAGE_SIZE = 36L * 1024 * 1024;
  public static final int DEFAULT_MAX_RECIPIENTS_PER_MESSAGE = 200;
  public static final int DEFAULT_MAX_INBOUND_CONNECTION = 5000;
  public static final int DEFAULT_MAX_INBOUND_CONNECTION_PER_SOURCE = 20;
  public static final int DEFAULT_MAX_HEADER_SIZE = 256 * 1024;
  public static final int DEFAULT_MAX_PROTOCOL_ERRORS = 5;
  public static final int DEFAULT_CONNECTION_TIMEOUT_SECONDS = 600;
  public static final int DEFAULT_CONNECTION_INACTIVITY_TIMEOUT_SECONDS = 300;
  public static final List<String> DEFAULT_REMOTE_IP_RANGES = List.of("0.0.0.0-255.255.255.255", "::/0");
  public static final int DEFAULT_MAX_LOGON_FAILURES = 3;
  public static final Duration DEFAULT_TARPIT_INTERVAL = Duration.ofSeconds(5);

  public ReceiveConnector {
    bindings = List.copyOf(bindings);
    remoteIpRanges = List.copyOf(remoteIpRanges);
    permissionGroups = Set.copyOf(permissionGroups);
    authMechanisms = Set.copyOf(authMechanisms);
    tarpitInterval = tarpitInterval == null ? DEFAULT_TARPIT_INTERVAL : tarpitInterval;
    permissions = permissions == null ? List.of() : List.copyOf(permissions);
    messageRateSource = messageRateSource == null ? DEFAULT_MESSAGE_RATE_SOURCE : messageRateSource;
    trustedCertificates = trustedCertificates == null ? List.of() : List.copyOf(trustedCertificates);
    tlsCipherSuites = tlsCipherSuites == null ? TlsCipherPolicy.DEFAULT_CIPHER_SUITES : List.copyOf(tlsCipherSuites);
    authFailureLimits = authFailureLimits == null ? AuthFailureLimits.DEFAULT : authFailureLimits;
  }

  /** A copy with other limits on failed AUTH across sessions. */
  public ReceiveConnector withAuthFailureLimits(AuthFailureLimits limits) {
    return new ReceiveConnector(name, bindings, remoteIpRanges, permissionGroups, authMechanisms, fqdn, banner,
        maxMessageSize, maxRecipientsPerMessage, maxInboundConnection, maxInboundConnectionPerSource, maxHeaderSize,
        maxProtocolErrors, connectionTimeoutSeconds, connectionInactivityTimeoutSeconds, protocolLoggingLevel,
        certificate, implicitTls, maxLogonFailures, tarpitInterval, permissions, messageRateLimit, messageRateSource,
        trustedCertificates, requireTls, tlsCipherSuites, limits);
  }

  /**
   * Failed AUTH counted across sessions (Exchange's MaxLogonFailures and AuthTarpitInterval act within one
   * session only, and Exchange has no cross-session counterpart: these defaults are mailflow's). Failures are
   * counted per client IP and per account over {@code window}; an entry is forgotten {@code window} after its
   * last failure.
   *
   * @param tarpitThreshold after this many failures from one client IP, or against one account, every further
   *     failed AUTH reply is held back {@code tarpitInterval} (0: never)
   * @param refusalThreshold after this many failures from one client IP, AUTH from it is answered
   *     {@code 454 4.7.0 Temporary authentication failure} without checking the password until {@code window} has
   *     passed since its last failure (0: never). Never per account: the right password from a clean address
   *     must still work, or anyone could lock a mailbox out
   * @param window how long a failure is remembered, and the cool-down of a refused client IP
   */
  public record AuthFailureLimits(int tarpitThreshold, int refusalThreshold, Duration window) {
    public static final int DEFAULT_TARPIT_THRESHOLD = 3;
    public static final int DEFAULT_REFUSAL_THRESHOLD = 10;
    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(15);
    public static final AuthFailureLimits DEFAULT =
        new AuthFailureLimits(DEFAULT_TARPIT_THRESHOLD, DEFAULT_REFUSAL_THRESHOLD, DEFAULT_WINDOW);

    public AuthFailureLimits {
      if (tarpitThreshold < 0 || refusalThreshold < 0) {
        throw new IllegalArgumentException("authFailureTarpitThreshold and authFailureRefusalThreshold must not be "
            + "negative, got " + tarpitThreshold + " and " + refusalThreshold);
      }
      if (window == null || window.isNegative() || window.isZero()) {
        throw new IllegalArgumentException("authFailureWindow must be positive, got " + window);
      }
    }
  }

  /** A connector with the default cipher suites and {@link AuthFailureLimits}. */
  public ReceiveConnector(String name, List<Binding> bindings, List<String> remoteIpRanges,
      Set<PermissionGroup> permissionGroups, Set<AuthMechanism> authMechanisms, String fqdn, String banner,
      long maxMessageSize, int maxRecipientsPerMessage, int maxInboundConnection, int maxInboundConnectionPerSource,
      int maxHeaderSize, int maxProtocolErrors, int connectionTimeoutSeconds, int connectionInactivityTimeoutSeconds,
      ProtocolLoggingLevel protocolLoggingLevel, Certificate certificate, boolean implicitTls, int maxLogonFailures,
      Duration tarpitInterval, List<Permission> permissions, int messageRateLimit, MessageRateSource messageRateSource,
      List<String> trustedCertificates, boolean requireTls) {
    this(name, bindings, remoteIpRanges, permissionGroups, authMechanisms, fqdn, banner, maxMessageSize,
        maxRecipientsPerMessage, maxInboundConnection, maxInboundConnectionPerSource, maxHeaderSize, maxProtocolErrors,
        connectionTimeoutSeconds, connectionInactivityTimeoutSeconds, protocolLoggingLevel, certificate, implicitTls,
        maxLogonFailures, tarpitInterval, permissions, messageRateLimit, messageRateSource, trustedCertificates,
        requireTls, null, null);
  }

  /** A copy offering these cipher suites. */
  public ReceiveConnector withTlsCipherSuites(List<String> suites) {
    return new ReceiveConnector(name, bindings, remoteIpRanges, permissionGroups, authMechanisms, fqdn, banner,
        maxMessageSize, maxRecipientsPerMessage, maxInboundConnection, maxInboundConnectionPerSource, maxHeaderSize,
        maxProtocolErrors, connectionTimeoutSeconds, connectionInactivityTimeoutSeconds, protocolLoggingLevel,
        certificate, implicitTls, maxLogonFailures, tarpitInterval, permissions, messageRateLimit, messageRateSource,
        trustedCertificates, requireTls, suites, authFailureLimits);
  }

  /** A copy with RequireTLS on or off. */
  public ReceiveConnector withRequireTls(boolean require) {
    return new ReceiveConnector(name, bindings, remoteIpRanges, permissionGroups, authMechanisms, fqdn, banner,
        maxMessageSize, maxRecipientsPerMessage, maxInboundConnection, maxInboundConnectionPerSource, maxHeaderSize,
        maxProtocolErrors, connectionTimeoutSeconds, connectionInactivityTimeoutSeconds, protocolLoggingLevel,
        certificate, implicitTls, maxLogonFailures, tarpitInterval, permissions, messageRateLimit, messageRateSource,
        trustedCertificates, require, tlsCipherSuites, authFailureLimits);
  }

  /** A copy that trusts these client certificates (PEM files). */
  public ReceiveConnector withTrustedCertificates(List<String> files) {
    return new ReceiveConnector(name, bindings, remoteIpRanges, permissionGroups, authMechanisms, fqdn, banner,
        maxMessageSize, maxRecipientsPerMessage, maxInboundConnection, maxInboundConnectionPerSource, maxHeaderSize,
        maxProtocolErrors, connectionTimeoutSeconds, connectionInactivityTimeoutSeconds, protocolLoggingLevel,
        certificate, implicitTls, maxLogonFailures, tarpitInterval, permissions, messageRateLimit, messageRateSource,
        files, requireTls, tlsCipherSuites, authFailureLimits);
  }

  /** Whether the connector asks clients for a TLS certificate: it has trusted certificates and speaks TLS. */
  public boolean requestsClientCertificate() {
    return !trustedCertificates.isEmpty() && (implicitTls || authMechanisms.contains(AuthMechanism.Tls));
  }

  /** Exchange's "Externally secured": every session is an authenticated Exchange server (IPsec, VPN, trusted wire). */
  public boolean externallySecured() {
    return authMechanisms.contains(AuthMechanism.ExternalAuthoritative);
  }

  /** A copy with another message rate limit. */
  public ReceiveConnector withMessageRate(int limit, MessageRateSource source) {
    return new ReceiveConnector(name, bindings, remoteIpRanges, permissionGroups, authMechanisms, fqdn, banner,
        maxMessageSize, maxRecipientsPerMessage, maxInboundConnection, maxInboundConnectionPerSource, maxHeaderSize,
        maxProtocolErrors, connectionTimeoutSeconds, connectionInactivityTimeoutSeconds, protocolLoggingLevel,
        certificate, implicitTls, maxLogonFailures, tarpitInterval, permissions, limit, source, trustedCertificates,
        requireTls, tlsCipherSuites, authFailureLimits);
  }

  /**
   * Exchange's MessageRateSource: whose messages count against {@code messageRateLimit}. User counts
   * per authenticated user (anonymous sessions are not limited), IPAddress per client IP, All both.
   */
  public enum MessageRateSource { User, IPAddress, All }

  /**
   * Exchange's permission groups, each standing for a security principal and the extended rights
   * Exchange grants it on the connector.
   */
  public enum PermissionGroup {
    /** Unauthenticated sessions (NT AUTHORITY\ANONYMOUS LOGON). */
    AnonymousUsers(ExtendedRight.SMTP_SUBMIT, ExtendedRight.SMTP_ACCEPT_ANY_SENDER,
        ExtendedRight.SMTP_ACCEPT_AUTHORITATIVE_DOMAIN_SENDER, ExtendedRight.ACCEPT_HEADERS_ROUTING),
    /** Sessions authenticated as a mailbox (NT AUTHORITY\Authenticated Users). */
    ExchangeUsers(ExtendedRight.SMTP_SUBMIT, ExtendedRight.SMTP_ACCEPT_ANY_RECIPIENT,
        ExtendedRight.BYPASS_ANTI_SPAM, ExtendedRight.ACCEPT_HEADERS_ROUTING),
    /**
     * Sessions of another Exchange server (Exchange Servers, Externally Secured Servers): on a connector with
     * ExternalAuthoritative every session; with ExchangeServer a session whose TLS client certificate names
     * one of the organization's servers.
     */
    ExchangeServers(ExtendedRight.values()),
    /**
     * Partner servers (MS Exchange\Partner Servers): a session whose TLS client certificate names a domain
     * of {@code transportConfig.tlsReceiveDomainSecureList} (Exchange's domain security, mutual TLS).
     */
    Partners(ExtendedRight.SMTP_SUBMIT, ExtendedRight.ACCEPT_HEADERS_ROUTING),
    /** No rights of its own: only the connector's explicit {@code permissions}. */
    Custom();

    private final Set<ExtendedRight> rights;

    PermissionGroup(ExtendedRight... rights) {
      this.rights = rights.length == 0 ? Set.of() : Set.copyOf(EnumSet.of(rights[0], rights));
    }

    /** The extended rights Exchange grants this group on a receive connector. */
    public Set<ExtendedRight> rights() {
      return rights;
    }
  }

  /**
   * An explicit grant or denial of extended rights on this connector (Exchange: {@code Add-ADPermission
   * -User ... -ExtendedRights ... [-Deny]}). A denial wins over every grant, as in Windows ACLs.
   *
   * @param user a mailbox or group address, or one of the principals {@link #ANONYMOUS_LOGON} and
   *     {@link #AUTHENTICATED_USERS}
   */
  public record Permission(String user, Set<ExtendedRight> extendedRights, boolean deny) {
    public static final String ANONYMOUS_LOGON = "NT AUTHORITY\\ANONYMOUS LOGON";
    public static final String AUTHENTICATED_USERS = "NT AUTHORITY\\Authenticated Users";

    public Permission {
      extendedRights = Set.copyOf(extendedRights);
    }

    public boolean forAnonymous() {
      return user.equalsIgnoreCase(ANONYMOUS_LOGON);
    }

    public boolean forAuthenticatedUsers() {
      return user.equalsIgnoreCase(AUTHENTICATED_USERS);
    }
  }

  /**
   * The TLS identity of a connector: PEM files, absolute (relative ones in the file are resolved
   * against the organization file's directory when it is loaded).
   */
  public record Certificate(String certFile, String keyFile) {}

  /**
   * Exchange's AuthMechanism values mailflow has. ExchangeServer: Exchange authenticates servers by
   * Kerberos/GSSAPI, mailflow by a TLS client certificate naming a server of the organization.
   * ExternalAuthoritative: the connection is secured outside mailflow; needs permission group ExchangeServers.
   */
  public enum AuthMechanism { None, Tls, BasicAuth, BasicAuthRequireTLS, ExchangeServer, ExternalAuthoritative }

  /** Exchange's ProtocolLoggingLevel: Verbose writes every SMTP line of every session to the protocol log. */
  public enum ProtocolLoggingLevel { None, Verbose }

  /** Exchange's default: protocol logging is off unless the admin turns it on per connector. */
  public static final ProtocolLoggingLevel DEFAULT_PROTOCOL_LOGGING_LEVEL = ProtocolLoggingLevel.None;

  /** An IP address and port the connector listens on. */
  public record Binding(String address, int port) {
    @Override
    public String toString() {
      return (address.contains(":") ? "[" + address + "]" : address) + ":" + port;
    }
  }

  /**
   * The remote IP ranges parsed (valid in a loaded organization). Parses on every call: keep the result
   * rather than calling this per connection.
   */
  public List<IpRange> ipRanges() {
    return remoteIpRanges.stream().map(IpRange::parse).toList();
  }

  public boolean allowsAnonymous() {
    return permissionGroups.contains(PermissionGroup.AnonymousUsers);
  }
}
