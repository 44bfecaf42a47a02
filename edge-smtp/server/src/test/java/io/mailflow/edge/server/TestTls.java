package io.mailflow.edge.server;

import io.mailflow.organization.ReceiveConnector;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** TestTls - the test certificate (src/test/resources/tls) as the server's identity and as the client's only trust anchor. */
final class TestTls {
  private TestTls() {}

  static ReceiveConnector.Certificate certificate() {
    return new ReceiveConnector.Certificate(resource("tls/cert.pem").toString(), resource("tls/key.pem").toString());
  }

  /** A client context that trusts the test certificate and nothing else. */
  static SSLContext clientContext() {
    try (InputStream pem = TestTls.class.getClassLoader().getResourceAsStream("tls/cert.pem")) {
      Certificate cert = CertificateFactory.getInstance("X.509").generateCertificate(pem);
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      trust.setCertificateEntry("mailflow-test", cert);
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (Exception e) {
      throw new IllegalStateException("cannot load tls/cert.pem", e);
    }
  }

  static Path resource(String name) {
    try {
      return Path.of(TestTls.class.getClassLoader().getResource(name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
