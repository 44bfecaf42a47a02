package io.mailflow.delivery.agent.smtp;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * TestCertificate - a self-signed server certificate for one host name, made with the JDK's keytool (no
 * openssl needed): a PKCS#12 key store for the scripted server and the certificate in PEM for the client
 * to trust.
 */
public record TestCertificate(Path keyStore, String password, Path certificatePem) {

  /** A fresh certificate for {@code hostName} (CN and subjectAltName) under {@code dir}. */
  public static TestCertificate create(Path dir, String hostName) throws Exception {
    Path store = dir.resolve(hostName + ".p12");
    Path pem = dir.resolve(hostName + ".pem");
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    run(List.of(keytool, "-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
        "-dname", "CN=" + hostName, "-ext", "san=dns:" + hostName, "-storetype", "PKCS12",
        "-keystore", store.toString(), "-storepass", "changeit", "-keypass", "changeit"));
    run(List.of(keytool, "-exportcert", "-rfc", "-alias", "server", "-keystore", store.toString(),
        "-storepass", "changeit", "-file", pem.toString()));
    if (!Files.exists(pem)) {
      throw new IllegalStateException("keytool made no certificate at " + pem);
    }
    return new TestCertificate(store, "changeit", pem);
  }

  private static void run(List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
    }
  }
}
