package io.mailflow.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WebhookSignatureTest {
  private final WebhookSignature signature = new WebhookSignature("0123456789abcdef0123456789abcdef");
  private final byte[] body = "{\"event\":\"delivered\"}".getBytes(StandardCharsets.UTF_8);

  /** The same value as the README's openssl line: printf '%s' '1765141200.{"event":"delivered"}' | openssl dgst -sha256 -hmac KEY. */
  @Test
  void matchesOpenssl() {
    assertEquals("sha256=" + OPENSSL, signature.sign(1765141200L, body));
  }

  @Test
  void verifiesOnlyTheSameTimestampAndBody() {
    String s = signature.sign(1765141200L, body);
    assertTrue(signature.verifies(1765141200L, body, s));
    assertFalse(signature.verifies(1765141201L, body, s));
    assertFalse(signature.verifies(1765141200L, "{}".getBytes(StandardCharsets.UTF_8), s));
    assertFalse(new WebhookSignature("another key, 16+ chars").verifies(1765141200L, body, s));
    assertFalse(signature.verifies(1765141200L, body, null));
  }

  static final String OPENSSL = "b568a216b90f99a7bd236d951e10fb5bba10f6ba96f3a20c11a15a3e769ebb36";
}
