package io.mailflow.organization;

import java.util.List;

/**
 * SendConnector - a way out of the organization for the domains in its address spaces
 * (Exchange's New-SendConnector).
 *
 * @param addressSpaces domains this connector serves, with a cost each ({@code *} for everything)
 * @param smartHosts relay through these hosts in order; empty means DNS MX routing
 * @param port TCP port on the remote side (Exchange: 25; tests use an ephemeral one)
 * @param maxMessageSize messages larger than this never take this connector (Exchange default 35 MB)
 * @param sourceTransportServers servers that may send through it (empty: this node)
 * @param fqdn name in HELO/EHLO
 * @param dnsServer the DNS server for MX lookups when there are no smart hosts; null: the system resolver
 *     (/etc/resolv.conf)
 * @param security STARTTLS and smart-host AUTH settings (Exchange's RequireTLS, TlsAuthLevel, TlsDomain,
 *     SmartHostAuthMechanism, AuthenticationCredential)
 * @param protocolLoggingLevel Verbose: this connector's outbound sessions go to the send protocol log (SEND files and
 *     mail.protocol.v1 with direction Send); None, Exchange's default, logs nothing
 */
public record SendConnector(
    String name,
    List<AddressSpace> addressSpaces,
    List<SmartHost> smartHosts,
    int port,
    long maxMessageSize,
    List<String> sourceTransportServers,
    String fqdn,
    DnsServer dnsServer,
    Security security,
    ReceiveConnector.ProtocolLoggingLevel protocolLoggingLevel) {

  public static final int DEFAULT_PORT = 25;
  public static final long DEFAULT_MAX_MESSAGE_SIZE = 35L * 1024 * 1024;
  public static final int DEFAULT_ADDRESS_SPACE_COST = 1;
  public static final int DEFAULT_DNS_PORT = 53;

  /** Without a DNS server of its own: MX lookups use the system resolver. */
  public SendConnector(String name, List<AddressSpace> addressSpaces, List<SmartHost> smartHosts, int port,
      long maxMessageSize, List<String> sourceTransportServers, String fqdn) {
    this(name, addressSpaces, smartHosts, port, maxMessageSize, sourceTransportServers, fqdn, null);
  }

  /** Opportunistic TLS and no AUTH (Exchange's defaults). */
  public SendConnector(String name, List<AddressSpace> addressSpaces, List<SmartHost> smartHosts, int port,
      long maxMessageSize, List<String> sourceTransportServers, String fqdn, DnsServer dnsServer) {
    this(name, addressSpaces, smartHosts, port, maxMessageSize, sourceTransportServers, fqdn, dnsServer,
        Security.DEFAULT);
  }

  /** Exchange's ProtocolLoggingLevel default for a send connector: None. */
  public static final ReceiveConnector.ProtocolLoggingLevel DEFAULT_PROTOCOL_LOGGING_LEVEL =
      ReceiveConnector.ProtocolLoggingLevel.None;

  /** Without protocol logging (Exchange's default, None). */
  public SendConnector(String name, List<AddressSpace> addressSpaces, List<SmartHost> smartHosts, int port,
      long maxMessageSize, List<String> sourceTransportServers, String fqdn, DnsServer dnsServer, Security security) {
    this(name, addressSpaces, smartHosts, port, maxMessageSize, sourceTransportServers, fqdn, dnsServer, security,
        DEFAULT_PROTOCOL_LOGGING_LEVEL);
  }

  public SendConnector {
    protocolLoggingLevel = protocolLoggingLevel == null ? DEFAULT_PROTOCOL_LOGGING_LEVEL : protocolLoggingLevel;
    addressSpaces = List.copyOf(addressSpaces);
    smartHosts = List.copyOf(smartHosts);
    sourceTransportServers = List.copyOf(sourceTransportServers);
  }

  /** True when this connector's sessions are protocol-logged (protocolLoggingLevel Verbose). */
  public boolean protocolLogged() {
    return protocolLoggingLevel == ReceiveConnector.ProtocolLoggingLevel.Verbose;
  }

  public boolean usesSmartHosts() {
    return !smartHosts.isEmpty();
  }

  /** An address space: {@code contoso.com}, {@code *.contoso.com} or {@code *}, with its cost. */
  public record AddressSpace(String domain, int cost) {}

  /** A smart host: a name or IP address, and the port to reach it on (defaults to the connector's). */
  public record SmartHost(String host, int port) {
    @Override
    public String toString() {
      return host + ":" + port;
    }
  }

  /** Exchange's TlsAuthLevel: what a required TLS session's certificate must prove. */
  public enum TlsAuthLevel { EncryptionOnly, CertificateValidation, DomainValidation }

  /** Exchange's SmartHostAuthMechanism values mailflow supports. */
  public enum SmartHostAuthMechanism { None, BasicAuth, BasicAuthRequireTLS }

  /** A smart host login; the password is read from {@code passwordFile} at load time and never printed. */
  public record Credential(String username, String passwordFile, String password) {
    @Override
    public String toString() {
      return "Credential[username=" + username + ", passwordFile=" + passwordFile + "]";
    }
  }

  /**
   * STARTTLS and AUTH for this connector.
   *
   * @param requireTls never send in plaintext (Exchange RequireTLS, default false: opportunistic TLS)
   * @param tlsAuthLevel with requireTls: EncryptionOnly (the default), CertificateValidation, DomainValidation
   * @param tlsDomain the domain the certificate must name, for DomainValidation
   * @param trustedCertificates absolute paths of PEM CA files; empty: the JVM's trust store
   * @param smartHostAuthMechanism None, BasicAuth or BasicAuthRequireTLS
   * @param credential the login for BasicAuth*, else null
   */
  public record Security(boolean requireTls, TlsAuthLevel tlsAuthLevel, String tlsDomain,
      List<String> trustedCertificates, SmartHostAuthMechanism smartHostAuthMechanism, Credential credential) {
    public static final Security DEFAULT =
        new Security(false, TlsAuthLevel.EncryptionOnly, null, List.of(), SmartHostAuthMechanism.None, null);

    public Security {
      trustedCertificates = List.copyOf(trustedCertificates);
    }
  }

  /** The DNS server MX routing asks (host name or IP address, and UDP port). */
  public record DnsServer(String host, int port) {
    @Override
    public String toString() {
      return host + ":" + port;
    }
  }
}
