package io.mailflow.organization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SmtpAddressTest {

  @Test
  void splitsAtTheLastAtSignAndLowerCasesOnlyOnRequest() {
    SmtpAddress a = SmtpAddress.parse("Alice.Smith@Contoso.TEST");
    assertEquals("Alice.Smith", a.localPart());
    assertEquals("Contoso.TEST", a.domain());
    assertEquals("contoso.test", a.domainLower());
    assertEquals("alice.smith@contoso.test", a.normalized());
    assertEquals("Alice.Smith@Contoso.TEST", a.toString());
    assertEquals("\"a@b\"", SmtpAddress.parse("\"a@b\"@contoso.test").localPart());
  }

  @ParameterizedTest
  @ValueSource(strings = {"a@b", "first.last+tag@sub.contoso.test", "!#$%&'*+-/=?^_`{|}~@x.test",
      "\"john doe\"@x.test", "\"quote\\\"d\"@x.test", "user@[192.0.2.1]", "user@[IPv6:2001:db8::1]",
      "jörg@bücher.example", "postmaster@localhost"})
  void acceptsValidAddresses(String text) {
    assertEquals(text, SmtpAddress.parse(text).toString());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "alice|'alice' is not an SMTP address (local@domain): no '@'",
      "@contoso.test|'@contoso.test' is not a valid SMTP address: empty local part (before the '@')",
      "alice@|'alice@' is not a valid SMTP address: empty domain (after the '@')",
      ".a@x.test|'.a@x.test' is not a valid SMTP address: local part '.a' has a leading, trailing or double dot",
      "a b@x.test|'a b@x.test' is not a valid SMTP address: character ' ' is not allowed in the local part 'a b' (quote the local part to use it)",
      "a@x..test|'a@x..test' is not a valid SMTP address: domain 'x..test' has a leading, trailing or double dot",
      "a@-x.test|'a@-x.test' is not a valid SMTP address: domain label '-x' starts or ends with a hyphen",
      "a@x_y.test|'a@x_y.test' is not a valid SMTP address: character '_' is not allowed in domain 'x_y.test' (letters, digits, hyphens, dots)",
      "a@[300.1.1.1]|'a@[300.1.1.1]' is not a valid SMTP address: address literal [300.1.1.1] is not [IPv4] or [IPv6:address]",
      "\"open@x.test|'\"open@x.test' is not a valid SMTP address: quoted local part \"open is not closed"})
  void rejectsMalformedAddressesSayingWhy(String text, String message) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SmtpAddress.parse(text));
    assertEquals(message, e.getMessage());
  }

  @Test
  void rejectsEmptyAndOverlongLocalParts() {
    assertEquals("empty address", assertThrows(IllegalArgumentException.class, () -> SmtpAddress.parse("")).getMessage());
    String local = "a".repeat(65);
    assertTrue(assertThrows(IllegalArgumentException.class, () -> SmtpAddress.parse(local + "@x.test"))
        .getMessage().endsWith("local part longer than 64 octets"));
  }

  @Test
  void tryParseAndHostNameCheckDoNotThrow() {
    assertEquals(Optional.empty(), SmtpAddress.tryParse("nope"));
    assertTrue(SmtpAddress.tryParse("a@b.test").isPresent());
    assertTrue(SmtpAddress.isHostName("mail.contoso.test"));
    assertFalse(SmtpAddress.isHostName("mail..contoso.test"));
  }
}
