package io.mailflow.organization;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Base64;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PemFiles - checks at load time that a receive connector's certificate and key files are readable
 * PEM of the right kind, so a bad path is a config error with a line number rather than a failed
 * handshake later. The handshake itself (and whether key and certificate belong together) is the
 * edge's to find out when it starts.
 */
final class PemFiles {
  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)-----END \\1-----");

  private static final String ENCRYPTED_KEY = ": the private key is encrypted; mailflow needs it unencrypted "
      + "(openssl pkey -in KEY -out PLAIN.pem), readable by mailflow only";

  private PemFiles() {}

  /** Null when {@code file} holds at least one X.509 certificate in PEM, else what is wrong. */
  static String certificateProblem(Path file) {
    return problem(file, PemFiles::certificateTextProblem);
  }

  /** Null when {@code file} holds an unencrypted private key in PEM (PKCS#8, PKCS#1 RSA or EC), else what is wrong. */
  static String privateKeyProblem(Path file) {
    return problem(file, PemFiles::privateKeyTextProblem);
  }

  /** What {@code problemIn} finds in the text of {@code file}, or why the file cannot be read. */
  private static String problem(Path file, BiFunction<Path, String, String> problemIn) {
    String text;
    try {
      text = new String(Files.readAllBytes(file), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      return cannotRead(file, e);
    }
    return problemIn.apply(file, text);
  }

  private static String certificateTextProblem(Path file, String text) {
    Matcher block = BLOCK.matcher(text);
    while (block.find()) {
      if (block.group(1).equals("CERTIFICATE")) {
        try {
          byte[] der = Base64.getMimeDecoder().decode(block.group(2));
          CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
          return null;
        } catch (IllegalArgumentException | CertificateException e) {
          return file + ": the CERTIFICATE block is not a valid X.509 certificate";
        }
      }
    }
    return file + ": no '-----BEGIN CERTIFICATE-----' block (a PEM certificate, chain first-to-last)";
  }

  private static String privateKeyTextProblem(Path file, String text) {
    Matcher block = BLOCK.matcher(text);
    while (block.find()) {
      switch (block.group(1)) {
        case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY":
          return text.contains("Proc-Type: 4,ENCRYPTED") ? file + ENCRYPTED_KEY : null;
        case "ENCRYPTED PRIVATE KEY":
          return file + ENCRYPTED_KEY;
        default:
          break;
      }
    }
    return file + ": no '-----BEGIN PRIVATE KEY-----' block (a PEM private key: PKCS#8, RSA or EC)";
  }

  private static String cannotRead(Path file, IOException e) {
    if (e instanceof NoSuchFileException) {
      return file + ": no such file";
    }
    return file + ": cannot read it (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")";
  }
}
