package io.mailflow.organization;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * PasswordHash - a mailbox password stored as a salted PBKDF2-HMAC-SHA256 hash, written
 * {@code pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>} (the shape passlib and Django use).
 *
 * <p>Deriving a hash is deliberately slow (hundreds of milliseconds at the default iterations): never
 * call {@link #matches} or {@link #create} on an event loop.
 */
public final class PasswordHash {
  public static final String SCHEME = "pbkdf2-sha256";
  /** OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256. */
  public static final int DEFAULT_ITERATIONS = 600_000;
  /** Fewer iterations make offline guessing cheap; below this a hash is refused at load. */
  public static final int MIN_ITERATIONS = 10_000;
  static final int MAX_ITERATIONS = 100_000_000;
  private static final int SALT_BYTES = 16;
  private static final int HASH_BYTES = 32;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final int iterations;
  private final byte[] salt;
  private final byte[] hash;

  private PasswordHash(int iterations, byte[] salt, byte[] hash) {
    this.iterations = iterations;
    this.salt = salt;
    this.hash = hash;
  }

  /**
   * Reads an encoded hash.
   *
   * @throws IllegalArgumentException saying what is wrong with it (never echoing the hash)
   */
  public static PasswordHash parse(String encoded) {
    String[] parts = encoded.strip().split("\\$", -1);
    if (parts.length != 4 || !parts[0].equals(SCHEME)) {
      throw new IllegalArgumentException("not a password hash of the form " + SCHEME
          + "$<iterations>$<salt base64>$<hash base64>; make one with 'mailflow directory hash-password'");
    }
    int iterations;
    try {
      iterations = Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("password hash iterations '" + parts[1] + "' is not a number");
    }
    if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
      throw new IllegalArgumentException("password hash iterations " + iterations + " out of range ("
          + MIN_ITERATIONS + "-" + MAX_ITERATIONS + ")");
    }
    byte[] salt = base64(parts[2], "salt");
    byte[] hash = base64(parts[3], "hash");
    if (salt.length < 8) {
      throw new IllegalArgumentException("password hash salt is " + salt.length + " bytes; at least 8 are needed");
    }
    if (hash.length < 16) {
      throw new IllegalArgumentException("password hash is " + hash.length + " bytes; at least 16 are needed");
    }
    return new PasswordHash(iterations, salt, hash);
  }

  /** A new hash of {@code password} with a random salt and the default iterations. */
  public static PasswordHash create(char[] password) {
    return create(password, DEFAULT_ITERATIONS);
  }

  public static PasswordHash create(char[] password, int iterations) {
    if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
      throw new IllegalArgumentException("iterations " + iterations + " out of range (" + MIN_ITERATIONS + "-"
          + MAX_ITERATIONS + ")");
    }
    byte[] salt = new byte[SALT_BYTES];
    RANDOM.nextBytes(salt);
    return new PasswordHash(iterations, salt, derive(password, salt, iterations, HASH_BYTES));
  }

  /** Whether {@code password} is the one hashed; compares in constant time. */
  public boolean matches(char[] password) {
    return MessageDigest.isEqual(hash, derive(password, salt, iterations, hash.length));
  }

  public int iterations() {
    return iterations;
  }

  /** The text form stored in the organization file. */
  public String encoded() {
    Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
    return SCHEME + "$" + iterations + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash);
  }

  @Override
  public String toString() {
    return SCHEME + "$" + iterations + "$…"; // never the hash itself in logs
  }

  private static byte[] base64(String text, String what) {
    try {
      return Base64.getDecoder().decode(text.getBytes(StandardCharsets.US_ASCII));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("password hash " + what + " is not base64");
    }
  }

  private static byte[] derive(char[] password, byte[] salt, int iterations, int bytes) {
    PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, bytes * 8);
    try {
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PBKDF2WithHmacSHA256 is part of every Java 17 runtime", e);
    } finally {
      spec.clearPassword();
    }
  }
}
