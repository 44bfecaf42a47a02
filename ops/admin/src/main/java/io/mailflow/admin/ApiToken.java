package io.mailflow.admin;

import io.mailflow.organization.PasswordHash;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ApiToken - a bearer token for scripts: {@code mailflow.<administrator>.<secret>}, where the secret is 32
 * random characters (~190 bits). The token names its administrator, so a check costs one hash per token of
 * that administrator; the organization file keeps only {@code administrators[].tokenHashes} (PBKDF2, like
 * passwords, at {@link #ITERATIONS}: a random secret needs no slow hash against guessing, only against a
 * leaked file being used as is).
 */
public final class ApiToken {
  public static final String PREFIX = "mailflow.";
  /** Enough for a 190-bit random secret; keeps a bearer check to milliseconds. */
  public static final int ITERATIONS = PasswordHash.MIN_ITERATIONS;
  private static final String ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  private static final int SECRET_LENGTH = 32;
  private static final Pattern FORM = Pattern.compile("mailflow\\.([A-Za-z0-9._@-]{1,64})\\.([A-Za-z0-9]{16,128})");
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A new token and the hash to put in the organization file. */
  public record Made(String token, String tokenHash) {}

  private ApiToken() {}

  public static Made create(String administrator) {
    StringBuilder secret = new StringBuilder(SECRET_LENGTH);
    for (int i = 0; i < SECRET_LENGTH; i++) {
      secret.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    }
    String token = PREFIX + administrator + "." + secret;
    return new Made(token, PasswordHash.create(token.toCharArray(), ITERATIONS).encoded());
  }

  /** The administrator a token names, or empty when it is not of this form. */
  public static Optional<String> administratorOf(String token) {
    Matcher m = FORM.matcher(token);
    return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
  }
}
