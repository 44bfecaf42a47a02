package io.mailflow.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * WebhookSignature - signs a notification as Stripe and Slack sign theirs: HMAC-SHA256 with the endpoint's secret
 * over {@code <unix seconds>.<body>}, sent as {@code X-Mailflow-Timestamp: <unix seconds>} and
 * {@code X-Mailflow-Signature: sha256=<lower-case hex>}. The timestamp is inside the MAC, so a receiver that
 * refuses old timestamps (say, older than five minutes) refuses replays too.
 */
final class WebhookSignature {
  static final String TIMESTAMP_HEADER = "X-Mailflow-Timestamp";
  static final String SIGNATURE_HEADER = "X-Mailflow-Signature";
  static final String PREFIX = "sha256=";
  private static final String ALGORITHM = "HmacSHA256";
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private final SecretKeySpec key;

  /** @param secret the endpoint's key (the first line of its secretFile), used as its UTF-8 bytes */
  WebhookSignature(String secret) {
    this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM);
  }

  /** The X-Mailflow-Signature value of {@code body} sent at {@code unixSeconds}. */
  String sign(long unixSeconds, byte[] body) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM); // not thread-safe: one per signature, cheap next to a POST
      mac.init(key);
      mac.update((unixSeconds + ".").getBytes(StandardCharsets.US_ASCII));
      return PREFIX + hex(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  /** Whether {@code signature} is {@code body}'s at {@code unixSeconds} (constant time): what a receiver does. */
  boolean verifies(long unixSeconds, byte[] body, String signature) {
    return signature != null && MessageDigest.isEqual(sign(unixSeconds, body).getBytes(StandardCharsets.US_ASCII),
        signature.getBytes(StandardCharsets.US_ASCII));
  }

  private static String hex(byte[] bytes) {
    char[] out = new char[bytes.length * 2];
    for (int i = 0; i < bytes.length; i++) {
      out[2 * i] = HEX[(bytes[i] >> 4) & 0xf];
      out[2 * i + 1] = HEX[bytes[i] & 0xf];
    }
    return new String(out);
  }
}
