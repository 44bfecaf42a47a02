package io.mailflow.delivery.agent.smtp;

import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.PemTrustOptions;
import java.util.List;
import java.util.Objects;

/**
 * TlsPolicy - how a session uses STARTTLS (Exchange's send connector RequireTLS, TlsAuthLevel, TlsDomain).
 *
 * <p>Opportunistic (the default): STARTTLS when the server offers it, any certificate accepted, and a
 * failed handshake makes the client try that host once more without TLS (what Exchange and Postfix do for
 * opportunistic TLS: encryption is a bonus, not a condition). Required: no STARTTLS offered, a refused
 * STARTTLS or a failed handshake or certificate check fail the host (transient, next host, queue Retry);
 * nothing is ever sent in plaintext.
 *
 * @param required Exchange's RequireTLS
 * @param authLevel what the certificate must prove when required (EncryptionOnly when not required)
 * @param domain the name the certificate must carry for {@link AuthLevel#DOMAIN_VALIDATION} (TlsDomain), else null
 * @param trustedCertificates PEM files of the CAs (or self-signed certificates) trusted; empty: the JVM's store
 */
public record TlsPolicy(boolean required, AuthLevel authLevel, String domain, List<String> trustedCertificates) {

  /** Exchange's TlsAuthLevel. */
  public enum AuthLevel {
    /** Encrypt; any certificate (Exchange's EncryptionOnly). */
    ENCRYPTION_ONLY,
    /** The certificate chains to a trusted CA (CertificateValidation); any name. */
    CERTIFICATE_VALIDATION,
    /** Chains to a trusted CA and names {@code domain} (DomainValidation; wildcards as in HTTPS). */
    DOMAIN_VALIDATION
  }

  /** STARTTLS when offered, any certificate, plaintext retry after a failed handshake. */
  public static final TlsPolicy OPPORTUNISTIC = new TlsPolicy(false, AuthLevel.ENCRYPTION_ONLY, null, List.of());

  public TlsPolicy {
    Objects.requireNonNull(authLevel, "authLevel");
    trustedCertificates = List.copyOf(trustedCertificates);
    if (authLevel == AuthLevel.DOMAIN_VALIDATION && (domain == null || domain.isBlank())) {
      throw new IllegalArgumentException("DomainValidation needs the domain the certificate must name");
    }
    if (!required && authLevel != AuthLevel.ENCRYPTION_ONLY) {
      throw new IllegalArgumentException("a certificate check (" + authLevel + ") needs required TLS");
    }
  }

  /** Required TLS whose certificate is checked at {@code level}. */
  public static TlsPolicy required(AuthLevel level, String domain, List<String> trustedCertificates) {
    return new TlsPolicy(true, level, domain, trustedCertificates);
  }

  /** The handshake's options: trust all for encryption only, else the PEM list or the JVM's store. */
  ClientSSLOptions sslOptions() {
    ClientSSLOptions options = new ClientSSLOptions();
    if (authLevel == AuthLevel.ENCRYPTION_ONLY) {
      return options.setTrustAll(true).setHostnameVerificationAlgorithm("");
    }
    if (!trustedCertificates.isEmpty()) {
      PemTrustOptions pem = new PemTrustOptions();
      trustedCertificates.forEach(pem::addCertPath);
      options.setTrustOptions(pem);
    }
    // the chain is checked in the handshake; the domain after it ({@link #domainProblem}), since the
    // handshake's own host check would compare the certificate with the address connected to
    return options.setHostnameVerificationAlgorithm("");
  }

  /**
   * Null when {@code certificate} names the domain (a DNS subjectAltName, or the CN when there are none;
   * a leading {@code *.} matches one label), else why not. Only for DOMAIN_VALIDATION.
   */
  String domainProblem(java.security.cert.Certificate certificate) {
    if (!(certificate instanceof java.security.cert.X509Certificate x509)) {
      return "the server's certificate is not X.509";
    }
    List<String> names = new java.util.ArrayList<>();
    try {
      if (x509.getSubjectAlternativeNames() != null) {
        for (List<?> san : x509.getSubjectAlternativeNames()) {
          if (Integer.valueOf(2).equals(san.get(0))) {
            names.add(String.valueOf(san.get(1)));
          }
        }
      }
    } catch (java.security.cert.CertificateParsingException e) {
      return "the server's certificate has unreadable subjectAltNames";
    }
    if (names.isEmpty()) {
      java.util.regex.Matcher cn = java.util.regex.Pattern.compile("CN=([^,]+)")
          .matcher(x509.getSubjectX500Principal().getName());
      if (cn.find()) {
        names.add(cn.group(1));
      }
    }
    String want = domain.toLowerCase(java.util.Locale.ROOT);
    for (String name : names) {
      String n = name.toLowerCase(java.util.Locale.ROOT);
      if (n.equals(want) || (n.startsWith("*.") && want.indexOf('.') > 0
          && want.substring(want.indexOf('.')).equals(n.substring(1)))) {
        return null;
      }
    }
    return "the server's certificate names " + names + ", not " + domain;
  }

  /** The name the handshake is made for: the domain to validate, else the host connected to. */
  String serverName(String host) {
    return authLevel == AuthLevel.DOMAIN_VALIDATION ? domain : host;
  }
}
