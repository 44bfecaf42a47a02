package io.mailflow.organization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PasswordHashTest {

  @Test
  void hashMatchesItsPasswordOnlyAndSurvivesItsTextForm() {
    PasswordHash hash = PasswordHash.create("correct horse".toCharArray(), PasswordHash.MIN_ITERATIONS);
    PasswordHash read = PasswordHash.parse(hash.encoded());
    assertTrue(read.matches("correct horse".toCharArray()));
    assertFalse(read.matches("correct horsE".toCharArray()));
    assertFalse(read.matches(new char[0]));
    assertTrue(hash.encoded().matches("pbkdf2-sha256\\$10000\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}"), hash.encoded());
  }

  @Test
  void sameAuthPasswordGetsADifferentSaltEachTime() {
    assertNotEquals(PasswordHash.create("x".toCharArray(), 10_000).encoded(),
        PasswordHash.create("x".toCharArray(), 10_000).encoded());
  }

  @Test
  void defaultIterationsAreOwasps2023Figure() {
    assertEquals(600_000, PasswordHash.DEFAULT_ITERATIONS);
  }

  @Test
  void knownVectorMatches() {
    // RFC 7914 section 11's PBKDF2-HMAC-SHA256 vector would need c=1; this one was made with Python:
    // hashlib.pbkdf2_hmac('sha256', b'password', b'saltsaltsaltsalt', 10000)
    PasswordHash hash = PasswordHash.parse("pbkdf2-sha256$10000$c2FsdHNhbHRzYWx0c2FsdA$"
        + "/HBtt7Z/7p0CzRvSN1B+KXrKNskvRts1UWw61zKTFUo");
    assertTrue(hash.matches("password".toCharArray()));
  }

  @Test
  void malformedHashesSayWhatIsWrongWithoutEchoingThem() {
    assertEquals("password hash iterations 'many' is not a number",
        assertThrows(IllegalArgumentException.class, () -> PasswordHash.parse("pbkdf2-sha256$many$AAAA$AAAA")).getMessage());
    assertEquals("password hash salt is not base64",
        assertThrows(IllegalArgumentException.class, () -> PasswordHash.parse("pbkdf2-sha256$10000$!!$AAAA")).getMessage());
    assertEquals("password hash salt is 3 bytes; at least 8 are needed",
        assertThrows(IllegalArgumentException.class, () -> PasswordHash.parse("pbkdf2-sha256$10000$AAAA$AAAA")).getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> PasswordHash.parse("md5$x")).getMessage()
        .startsWith("not a password hash of the form pbkdf2-sha256$"));
    assertFalse(PasswordHash.create("x".toCharArray(), 10_000).toString().contains("$AAAA"));
  }
}
