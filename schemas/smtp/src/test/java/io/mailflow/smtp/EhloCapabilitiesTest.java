package io.mailflow.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class EhloCapabilitiesTest {

  private static EhloCapabilities parse(String... lines) {
    return EhloCapabilities.parse(SmtpReplyReader.parse(List.of(lines)));
  }

  @Test
  void readsTheExtensionsAnExchangeServerAnnounces() {
    EhloCapabilities caps = parse("250-EX01.contoso.com Hello [10.0.0.5]", "250-SIZE 37748736",
        "250-PIPELINING", "250-DSN", "250-ENHANCEDSTATUSCODES", "250-STARTTLS", "250-AUTH NTLM LOGIN",
        "250-8BITMIME", "250-BINARYMIME", "250-CHUNKING", "250 SMTPUTF8");
    assertEquals("EX01.contoso.com", caps.serverDomain());
    assertTrue(caps.pipelining() && caps.dsn() && caps.enhancedStatusCodes() && caps.startTls()
        && caps.eightBitMime() && caps.smtpUtf8() && caps.size());
    assertEquals(37748736L, caps.sizeLimit());
    assertEquals(List.of("NTLM", "LOGIN"), caps.authMechanisms());
    assertTrue(caps.has("chunking"));
  }

  @Test
  void oldStyleAuthEqualsIsUnderstood() {
    assertEquals(List.of("LOGIN", "PLAIN"), parse("250-mx", "250 AUTH=LOGIN PLAIN").authMechanisms());
  }

  @Test
  void sizeWithoutNumberMeansNoFixedLimit() {
    EhloCapabilities caps = parse("250-mx", "250 SIZE");
    assertTrue(caps.size());
    assertEquals(0, caps.sizeLimit());
  }

  @Test
  void heloSessionsHaveNoExtensions() {
    EhloCapabilities none = EhloCapabilities.none();
    assertFalse(none.pipelining() || none.eightBitMime() || none.size());
    assertEquals(List.of(), none.authMechanisms());
  }

  @Test
  void aNegativeReplyCarriesNoCapabilities() {
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> EhloCapabilities.parse(SmtpReply.of(502, "5.5.1", "EHLO not implemented")))
        .getMessage().contains("2xx"));
  }
}
