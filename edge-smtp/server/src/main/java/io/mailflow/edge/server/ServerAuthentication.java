package io.mailflow.edge.server;

import io.mailflow.organization.IpRange;
import io.mailflow.organization.Organization;
import io.mailflow.organization.ReceiveConnector;
import io.mailflow.organization.ReceiveConnector.AuthMechanism;
import io.mailflow.organization.ReceiveConnector.PermissionGroup;
import io.mailflow.organization.Server;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertPathValidator;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * ServerAuthentication - authenticates servers by their TLS client certificate on a connector with
 * {@code trustedCertificates}: the chain must lead to one of those certificates (PKIX, no revocation
 * check: mailflow never goes to the network for it); then a certificate naming (DNS subject alternative
 * name, else CN) one of the organization's servers makes the session an Exchange server (with
 * authMechanisms ExchangeServer and permission group ExchangeServers), one naming a domain of
 * {@code transportConfig.tlsReceiveDomainSecureList} (the domain itself or a host in it) a partner (with
 * permission group Partners). Anything else leaves the session anonymous: the handshake itself never
 * fails over a client certificate ({@link #acceptingTrustManager}), as a sending server without one must
 * still be able to deliver.
 */
final class ServerAuthentication {
  private final ReceiveConnector connector;
  private final List<X509Certificate> trusted;
  private final Set<TrustAnchor> anchors;
  private final Set<String> serverNames;
  private final List<String> partnerDomains;

  /** @throws IllegalArgumentException naming the file when a trusted certificate cannot be read */
  ServerAuthentication(ReceiveConnector connector, Organization organization) {
    this.connector = connector;
    this.trusted = connector.requestsClientCertificate() ? load(connector.trustedCertificates()) : List.of();
    this.anchors = trusted.stream().map(c -> new TrustAnchor(c, null)).collect(Collectors.toSet());
    this.serverNames = serverNames(organization);
    this.partnerDomains = organization.transportConfig().tlsReceiveDomainSecureList();
  }

  /** Whether the connector asks for client certificates in the handshake. */
  boolean requestsCertificate() {
    return !trusted.isEmpty();
  }

  /** What a client's certificate chain (leaf first; null or empty: none presented) makes of the session. */
  Outcome check(Certificate[] chain) {
    if (chain == null || chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
      return new Outcome(SessionPrincipal.ANONYMOUS, null, "no client certificate");
    }
    String subject = leaf.getSubjectX500Principal().getName() + "; thumbprint " + thumbprint(leaf);
    String problem = validate(chain);
    if (problem != null) {
      return new Outcome(SessionPrincipal.ANONYMOUS, subject, "not trusted: " + problem);
    }
    List<String> names = names(leaf);
    SessionPrincipal principal = principalFor(names);
    return new Outcome(principal, subject, principal.authenticated() ? null
        : "names no server of the organization nor a domain-secure partner this connector accepts: "
            + String.join(", ", names));
  }

  /** The principal a valid certificate with these names gets on this connector (ANONYMOUS: none). */
  SessionPrincipal principalFor(Collection<String> names) {
    if (connector.authMechanisms().contains(AuthMechanism.ExchangeServer)
        && connector.permissionGroups().contains(PermissionGroup.ExchangeServers)) {
      for (String name : names) {
        if (serverNames.contains(name.toLowerCase(Locale.ROOT))) {
          return SessionPrincipal.server(name.toLowerCase(Locale.ROOT));
        }
      }
    }
    if (connector.permissionGroups().contains(PermissionGroup.Partners)) {
      for (String name : names) {
        String lower = name.toLowerCase(Locale.ROOT);
        for (String domain : partnerDomains) {
          if (lower.equals(domain) || lower.endsWith("." + domain)) {
            return SessionPrincipal.partner(domain); // "*.fabrikam.test" ends with ".fabrikam.test" too
          }
        }
      }
    }
    return SessionPrincipal.ANONYMOUS;
  }

  /**
   * The outcome of one check.
   *
   * @param principal who the session is now (ANONYMOUS when the certificate is absent, invalid or names nobody)
   * @param subject the certificate's subject and SHA-1 thumbprint (as Exchange shows certificates), or null
   * @param problem why the session stays anonymous, or null
   */
  record Outcome(SessionPrincipal principal, String subject, String problem) {}

  /** Null when the chain leads to a trusted certificate, else why not. */
  private String validate(Certificate[] chain) {
    try {
      for (X509Certificate anchor : trusted) {
        if (anchor.equals(chain[0])) {
          ((X509Certificate) chain[0]).checkValidity(); // a trusted self-signed certificate itself
          return null;
        }
      }
      List<Certificate> path = new ArrayList<>(Arrays.asList(chain));
      path.removeIf(c -> trusted.contains(c)); // the anchor is not part of the path PKIX validates
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      PKIXParameters parameters = new PKIXParameters(anchors);
      parameters.setRevocationEnabled(false);
      CertPathValidator.getInstance("PKIX").validate(factory.generateCertPath(path), parameters);
      return null;
    } catch (GeneralSecurityException | RuntimeException e) {
      return String.valueOf(e.getMessage());
    }
  }

  /** DNS subject alternative names, else the subject's CN (RFC 6125's fallback), lower case. */
  static List<String> names(X509Certificate certificate) {
    Set<String> names = new LinkedHashSet<>();
    try {
      Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
      if (alternatives != null) {
        for (List<?> entry : alternatives) {
          if (entry.size() >= 2 && Integer.valueOf(2).equals(entry.get(0)) && entry.get(1) instanceof String dns) {
            names.add(dns.toLowerCase(Locale.ROOT));
          }
        }
      }
    } catch (CertificateParsingException e) {
      // no usable alternative names: fall back to the CN
    }
    if (names.isEmpty()) {
      try {
        for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
          if (rdn.getType().equalsIgnoreCase("CN")) {
            names.add(String.valueOf(rdn.getValue()).toLowerCase(Locale.ROOT));
          }
        }
      } catch (InvalidNameException e) {
        // a subject the JDK printed cannot be unparsable; nothing to add
      }
    }
    return List.copyOf(names);
  }

  /**
   * The names a server of the organization has: {@code <name>.<default domain>} (the FQDN mailflow gives
   * a server, as in connector greetings) and its {@code smtp} host when that is a name, not an address.
   */
  private static Set<String> serverNames(Organization organization) {
    String domain = organization.defaultDomain().domainName().toLowerCase(Locale.ROOT);
    Set<String> names = new LinkedHashSet<>();
    for (Server server : organization.servers()) {
      names.add(server.name().toLowerCase(Locale.ROOT) + "." + domain);
      String host = server.smtp().host();
      if (host.contains(".") && !IpRange.isAddress(host)) {
        names.add(host.toLowerCase(Locale.ROOT));
      }
    }
    return names;
  }

  private static List<X509Certificate> load(List<String> files) {
    List<X509Certificate> certificates = new ArrayList<>();
    for (String file : files) {
      try (InputStream in = Files.newInputStream(Path.of(file))) {
        for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
          certificates.add((X509Certificate) c);
        }
      } catch (IOException | GeneralSecurityException | RuntimeException e) {
        throw new IllegalArgumentException("trustedCertificates: cannot read " + file + ": " + e.getMessage(), e);
      }
    }
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException("trustedCertificates: no certificate in " + files);
    }
    return List.copyOf(certificates);
  }

  private static String thumbprint(X509Certificate certificate) {
    try {
      return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-1").digest(certificate.getEncoded()));
    } catch (GeneralSecurityException e) {
      return "?";
    }
  }

  /**
   * A trust manager for the listening socket that takes every client certificate: the handshake then
   * always succeeds and the session checks the certificate itself ({@link #check}), so an untrusted one
   * leaves it anonymous instead of failing TLS. The JDK still verifies that the client holds the
   * certificate's private key (CertificateVerify). Server certificates are never checked with it.
   * It names no accepted issuers: clients then send the certificate they have whoever issued it (a JDK
   * client sends none whose issuer is not listed), so an untrusted one shows in the protocol log.
   */
  static X509ExtendedTrustManager acceptingTrustManager() {
    return new X509ExtendedTrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) throws java.security.cert.CertificateException {
        throw new java.security.cert.CertificateException("a receive connector does not check server certificates");
      }

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
          throws java.security.cert.CertificateException {
        checkServerTrusted(chain, authType);
      }

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
          throws java.security.cert.CertificateException {
        checkServerTrusted(chain, authType);
      }

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    };
  }
}
