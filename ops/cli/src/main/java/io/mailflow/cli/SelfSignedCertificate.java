package io.mailflow.cli;

import io.mailflow.organization.Organization;
import io.mailflow.organization.ReceiveConnector;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * SelfSignedCertificate - the node's own TLS certificate for receive connectors that name none, as
 * Exchange setup makes its self-signed "Microsoft Exchange" certificate: RSA 2048, SHA-256, the server's
 * host names and loopback addresses as subject alternative names; valid 397 days (the CA/Browser Forum's
 * limit for public certificates, where Exchange's is five years: testssl.sh and clients count a longer
 * life against the server). Made once in {@code <data-dir>/tls/} and kept; made again, with a new key,
 * when missing, unreadable, expiring within 30 days, or not naming every host name now needed; so a node
 * started at least once a month never serves an expired one.
 *
 * <p>Clients do not trust it unless told to (e.g. {@code curl --cacert <data-dir>/tls/certificate.pem}).
 * Runs at start-up on the main thread, never on an event loop.
 */
final class SelfSignedCertificate {
  static final String CERTIFICATE_FILE = "certificate.pem";
  static final String KEY_FILE = "private-key.pem";
  /** notBefore to notAfter, the day of slack for slow client clocks included. */
  static final Duration VALIDITY = Duration.ofDays(397);
  /** notBefore this far in the past: clients whose clock is a little behind. */
  static final Duration BACKDATE = Duration.ofDays(1);
  static final Duration RENEW_BEFORE = Duration.ofDays(30);
  /** Loopback names every local client uses; the certificate covers them so hostname checks pass. */
  static final List<String> LOOPBACK = List.of("localhost", "127.0.0.1", "::1");

  private SelfSignedCertificate() {}

  /**
   * The default certificate for the edge of {@code org}: null when every connector that offers TLS
   * names its own (or none offers TLS); else the one in {@code <dataDir>/tls}, made now if needed,
   * covering those connectors' host names. Prints one line saying which.
   */
  static ReceiveConnector.Certificate forEdge(Organization org, Path dataDir, PrintWriter out) {
    List<String> names = edgeNames(org);
    if (names.isEmpty()) {
      return null;
    }
    Path dir = dataDir.resolve("tls");
    Result result = ensure(dir, names);
    boolean made = MADE_AHEAD.remove(dir.toAbsolutePath().normalize()) || result.made();
    out.printf("tls           self-signed certificate for %s %s %s%n", String.join(", ", names),
        made ? "made in" : "in", dir.toAbsolutePath().normalize());
    return result.certificate();
  }

  /**
   * Makes the edge's certificate now when it will need one and there is none fit for use, without a word:
   * {@link #forEdge} later finds it. {@code mailflow run} calls it while the broker starts.
   */
  static void prepareForEdge(Organization org, Path dataDir) {
    List<String> names = edgeNames(org);
    if (!names.isEmpty() && ensure(dataDir.resolve("tls"), names).made()) {
      MADE_AHEAD.add(dataDir.resolve("tls").toAbsolutePath().normalize());
    }
  }

  /** Directories where {@link #prepareForEdge} made the certificate, until {@link #forEdge} has said so. */
  private static final Set<Path> MADE_AHEAD = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * The node's certificate for the admin server (HTTPS when it listens beyond loopback): the edge's one in
   * {@code <dataDir>/tls}, covering the server's FQDN besides the edge's names (so the two never make each
   * other's certificate again). Prints one line when it had to be made.
   */
  static ReceiveConnector.Certificate forAdmin(Organization org, Path dataDir, PrintWriter out) {
    List<String> names = edgeNames(org);
    String fqdn = org.serverFqdn().toLowerCase(Locale.ROOT);
    if (!names.contains(fqdn)) {
      names.add(fqdn);
    }
    Path dir = dataDir.resolve("tls");
    Result result = ensure(dir, names);
    if (result.made()) {
      out.printf("tls           self-signed certificate for %s made in %s%n", String.join(", ", names),
          dir.toAbsolutePath().normalize());
    }
    return result.certificate();
  }

  /** The host names of connectors that offer TLS without a certificate of their own. */
  private static List<String> edgeNames(Organization org) {
    List<String> names = new ArrayList<>();
    for (ReceiveConnector connector : org.receiveConnectors()) {
      boolean tls = connector.implicitTls() || connector.authMechanisms().contains(ReceiveConnector.AuthMechanism.Tls);
      if (tls && connector.certificate() == null) {
        String fqdn = org.connectorFqdn(connector.fqdn());
        if (!names.contains(fqdn.toLowerCase(Locale.ROOT))) {
          names.add(fqdn.toLowerCase(Locale.ROOT));
        }
      }
    }
    return names;
  }

  /** What {@link #ensure} found or made. */
  record Result(ReceiveConnector.Certificate certificate, boolean made) {}

  /**
   * The certificate in {@code dir} for {@code hostNames} (the first is the subject's CN), made now if
   * there is none fit for use.
   */
  static Result ensure(Path dir, List<String> hostNames) {
    return ensure(dir, hostNames, Instant.now());
  }

  /** As {@link #ensure(Path, List)}, at {@code now} (tests make certificates near their end). */
  static Result ensure(Path dir, List<String> hostNames, Instant now) {
    Set<String> names = new LinkedHashSet<>(hostNames);
    names.addAll(LOOPBACK);
    Path certFile = dir.resolve(CERTIFICATE_FILE);
    Path keyFile = dir.resolve(KEY_FILE);
    ReceiveConnector.Certificate paths = new ReceiveConnector.Certificate(certFile.toAbsolutePath().toString(),
        keyFile.toAbsolutePath().toString());
    if (Files.isReadable(keyFile) && fitForUse(certFile, names, now)) {
      return new Result(paths, false);
    }
    try {
      Files.createDirectories(dir);
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      KeyPair keys = generator.generateKeyPair();
      X509Certificate certificate = build(keys, new ArrayList<>(names), now);
      // key first, readable by the owner only; the certificate is public
      OwnerOnlyFiles.write(keyFile, pem("PRIVATE KEY", keys.getPrivate().getEncoded()), true);
      OwnerOnlyFiles.write(certFile, pem("CERTIFICATE", certificate.getEncoded()), false);
      return new Result(paths, true);
    } catch (IOException e) {
      throw new CliFailure("cannot write the TLS certificate in " + dir.toAbsolutePath() + ": " + e.getMessage(), e);
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new CliFailure("cannot make a self-signed TLS certificate: " + e.getMessage(), e);
    }
  }

  private static X509Certificate build(KeyPair keys, List<String> names, Instant now)
      throws GeneralSecurityException, OperatorCreationException {
    X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, names.get(0)).build();
    X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
        new BigInteger(64, new SecureRandom()).abs().add(BigInteger.ONE),
        Date.from(now.minus(BACKDATE)), Date.from(now.minus(BACKDATE).plus(VALIDITY)), subject, keys.getPublic());
    try {
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(Extension.keyUsage, true,
          new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
      GeneralName[] alternatives = names.stream()
          .map(n -> new GeneralName(isIpLiteral(n) ? GeneralName.iPAddress : GeneralName.dNSName, n))
          .toArray(GeneralName[]::new);
      builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(alternatives));
    } catch (IOException e) {
      throw new GeneralSecurityException("cannot encode a certificate extension", e);
    }
    try {
      byte[] der = builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate())).getEncoded();
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
    } catch (IOException | RuntimeException e) {
      throw new GeneralSecurityException("the certificate just made does not encode or parse", e);
    }
  }

  /** Readable, not expiring soon, and naming every host name needed. */
  private static boolean fitForUse(Path certFile, Set<String> names, Instant now) {
    try {
      String pem = Files.readString(certFile, StandardCharsets.US_ASCII);
      int begin = pem.indexOf("-----BEGIN CERTIFICATE-----");
      int end = pem.indexOf("-----END CERTIFICATE-----");
      if (begin < 0 || end < begin) {
        return false;
      }
      byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + 27, end));
      X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(der));
      if (cert.getNotAfter().toInstant().isBefore(now.plus(RENEW_BEFORE))) {
        return false;
      }
      Set<String> covered = new LinkedHashSet<>();
      Collection<List<?>> alternatives = cert.getSubjectAlternativeNames();
      if (alternatives != null) {
        for (List<?> alternative : alternatives) {
          covered.add(normalized(String.valueOf(alternative.get(1))));
        }
      }
      return names.stream().map(SelfSignedCertificate::normalized).allMatch(covered::contains);
    } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }

  /** Host names in lower case; IP literals in one spelling (the JDK prints ::1 as 0:0:0:0:0:0:0:1). */
  private static String normalized(String name) {
    if (isIpLiteral(name)) {
      try {
        return InetAddress.getByName(name).getHostAddress(); // a literal: no DNS lookup
      } catch (UnknownHostException e) {
        return name;
      }
    }
    return name.toLowerCase(Locale.ROOT);
  }

  private static boolean isIpLiteral(String name) {
    return name.contains(":") || name.matches("[0-9.]+");
  }

  static byte[] pem(String type, byte[] der) {
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return ("-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n").getBytes(StandardCharsets.US_ASCII);
  }
}
