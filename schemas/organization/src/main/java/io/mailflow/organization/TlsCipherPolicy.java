package io.mailflow.organization;

import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;

/**
 * TlsCipherPolicy - which TLS versions and cipher suites receive connectors offer: TLS 1.2 and 1.3 only,
 * and by default Mozilla's "intermediate" suites without the DHE ones (forward secrecy and AEAD only).
 * A connector's own {@code tlsCipherSuites} must keep to the same rule; {@link #problem} says why a name
 * does not. Does not build SSL contexts: the edge applies the policy to its listening sockets.
 */
public final class TlsCipherPolicy {
  /** TLS 1.0 and 1.1 are deprecated (RFC 8996); SSLv3 long gone. */
  public static final List<String> PROTOCOLS = List.of("TLSv1.2", "TLSv1.3");

  /**
   * Mozilla's intermediate profile (v5.7) in IANA names, the TLS 1.3 suites first, without its three DHE
   * suites: every client that speaks TLS 1.2 has ECDHE, and finite-field DHE only adds a slower handshake.
   */
  public static final List<String> DEFAULT_CIPHER_SUITES = List.of(
      "TLS_AES_128_GCM_SHA256",
      "TLS_AES_256_GCM_SHA384",
      "TLS_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

  private static final Set<String> TLS13_SUITES = Set.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
      "TLS_CHACHA20_POLY1305_SHA256");

  private TlsCipherPolicy() {}

  /**
   * Why {@code suite} may not be offered, or null when it may: it must be a suite this JVM has (IANA
   * name, as {@code openssl ciphers -stdname} prints it), a TLS 1.3 suite or an (EC)DHE one, with an
   * AEAD cipher (GCM or ChaCha20-Poly1305; no CBC, which testssl.sh and Mozilla count against a server).
   */
  public static String problem(String suite) {
    if (!supported().contains(suite)) {
      return "'" + suite + "' is not a cipher suite this JVM knows (IANA names, e.g. "
          + "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)";
    }
    if (TLS13_SUITES.contains(suite)) {
      return null;
    }
    if (!suite.startsWith("TLS_ECDHE_") && !suite.startsWith("TLS_DHE_")) {
      return "'" + suite + "' has no forward secrecy (its key exchange is not ECDHE or DHE)";
    }
    if (!suite.contains("_GCM_") && !suite.contains("_CHACHA20_POLY1305_")) {
      return "'" + suite + "' is not an AEAD suite (only AES-GCM and ChaCha20-Poly1305)";
    }
    return null;
  }

  private static Set<String> supported() {
    try {
      return Set.of(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no default TLS provider", e);
    }
  }
}
