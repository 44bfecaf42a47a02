package io.mailflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SelfSignedCertificateTest {
  @TempDir Path dir;

  @Test
  void madeOnceWithTheHostNamesAndLoopbackAndAKeyOnlyTheOwnerReads() throws Exception {
    SelfSignedCertificate.Result made = SelfSignedCertificate.ensure(dir, List.of("ex01.contoso.test"));
    assertTrue(made.made());
    X509Certificate cert = certificate(Path.of(made.certificate().certFile()));
    assertEquals("CN=ex01.contoso.test", cert.getSubjectX500Principal().getName());
    Set<String> names = cert.getSubjectAlternativeNames().stream().map(n -> String.valueOf(n.get(1)))
        .collect(Collectors.toSet());
    assertEquals(Set.of("ex01.contoso.test", "localhost", "127.0.0.1", "0:0:0:0:0:0:0:1"), names);
    assertEquals(Duration.ofDays(397), Duration.between(cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant()),
        "397 days at most, notBefore to notAfter");
    cert.checkValidity();
    cert.verify(cert.getPublicKey()); // self-signed

    Path key = Path.of(made.certificate().keyFile());
    if (OwnerOnlyFiles.posix(dir)) {
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
    }
    // the key belongs to the certificate
    String pem = Files.readString(key, StandardCharsets.US_ASCII);
    byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
    Signature signer = Signature.getInstance("SHA256withRSA");
    signer.initSign(KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der)));
    signer.update(new byte[] {1, 2, 3});
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance("SHA256withRSA");
    verifier.initVerify(cert.getPublicKey());
    verifier.update(new byte[] {1, 2, 3});
    assertTrue(verifier.verify(signature));
  }

  @Test
  void keptAcrossStartsAndMadeAgainWhenANameIsMissing() throws Exception {
    SelfSignedCertificate.ensure(dir, List.of("ex01.contoso.test"));
    String first = Files.readString(dir.resolve(SelfSignedCertificate.CERTIFICATE_FILE));
    assertFalse(SelfSignedCertificate.ensure(dir, List.of("EX01.contoso.test")).made(), "same names: kept");
    assertEquals(first, Files.readString(dir.resolve(SelfSignedCertificate.CERTIFICATE_FILE)));
    assertTrue(SelfSignedCertificate.ensure(dir, List.of("mail.contoso.test")).made(), "a new name: made again");
  }

  @Test
  void renewedWithANewKeyWhenItExpiresWithinThirtyDaysAndKeptWhenNot() throws Exception {
    Instant now = Instant.now();
    // made 360 days ago: 36 days left, kept
    SelfSignedCertificate.ensure(dir, List.of("ex01.contoso.test"), now.minus(Duration.ofDays(360)));
    String old = Files.readString(dir.resolve(SelfSignedCertificate.CERTIFICATE_FILE));
    String oldKey = Files.readString(dir.resolve(SelfSignedCertificate.KEY_FILE));
    assertFalse(SelfSignedCertificate.ensure(dir, List.of("ex01.contoso.test"), now).made(), "36 days left: kept");
    assertEquals(old, Files.readString(dir.resolve(SelfSignedCertificate.CERTIFICATE_FILE)));
    // made 368 days ago: 28 days left, renewed
    Path other = dir.resolve("other");
    SelfSignedCertificate.ensure(other, List.of("ex01.contoso.test"), now.minus(Duration.ofDays(368)));
    old = Files.readString(other.resolve(SelfSignedCertificate.CERTIFICATE_FILE));
    oldKey = Files.readString(other.resolve(SelfSignedCertificate.KEY_FILE));
    assertTrue(SelfSignedCertificate.ensure(other, List.of("ex01.contoso.test"), now).made(), "28 days left: renewed");
    X509Certificate renewed = certificate(other.resolve(SelfSignedCertificate.CERTIFICATE_FILE));
    renewed.checkValidity(Date.from(now.plus(Duration.ofDays(395))));
    assertFalse(old.equals(Files.readString(other.resolve(SelfSignedCertificate.CERTIFICATE_FILE))));
    assertFalse(oldKey.equals(Files.readString(other.resolve(SelfSignedCertificate.KEY_FILE))), "a new key");
  }

  @Test
  void damagedCertificateIsMadeAgain() throws Exception {
    SelfSignedCertificate.ensure(dir, List.of("ex01.contoso.test"));
    Files.writeString(dir.resolve(SelfSignedCertificate.CERTIFICATE_FILE), "garbage");
    assertTrue(SelfSignedCertificate.ensure(dir, List.of("ex01.contoso.test")).made());
  }

  static X509Certificate certificate(Path file) throws Exception {
    return (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(file)));
  }
}
