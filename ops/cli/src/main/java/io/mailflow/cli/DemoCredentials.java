package io.mailflow.cli;

import io.mailflow.organization.Administrator;
import io.mailflow.organization.Mailbox;
import io.mailflow.organization.Organization;
import io.mailflow.organization.PasswordHash;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * DemoCredentials - passwords for the built-in demo's mailboxes, so authenticated submission works
 * the moment {@code mailflow run} starts: made at first start with a strong random generator, printed
 * once, and kept in {@code <data-dir>/demo-credentials/}:
 * <ul>
 *   <li>{@code password-hashes.txt} — {@code address hash} lines (PBKDF2, what the edge checks);
 *   <li>{@code passwords.txt} — {@code address password} lines, so the demo can be used again later.
 * </ul>
 * The demo's administrator {@value #ADMINISTRATOR} (OrganizationManagement, for the admin server) gets a
 * password the same way, kept on a line of its own in both files.
 * Both are readable by their owner only (mode 0600). The plain file exists because this is a demo on
 * loopback; an organization file of your own carries {@code passwordHash} values and no plain text.
 */
final class DemoCredentials {
  static final String DIR = "demo-credentials";
  static final String HASHES = "password-hashes.txt";
  static final String PASSWORDS = "passwords.txt";
  /** The demo's administrator: a name no mailbox address can be (it has no {@code @}). */
  static final String ADMINISTRATOR = "admin";
  private static final String ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"; // no 0/O, 1/l/I
  private static final int LENGTH = 16; // ~92 bits
  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * @param organization the demo with every mailbox's password hash filled in
   * @param made passwords made at this start (address → password), to print once; empty on later starts
   */
  record Applied(Organization organization, Map<String, String> made, Path passwordFile) {}

  private DemoCredentials() {}

  /** Gives every mailbox without a password hash one, from the data dir or made now. */
  static Applied apply(Organization demo, Path dataDir) {
    Path dir = dataDir.resolve(DIR);
    Path hashFile = dir.resolve(HASHES);
    Path passwordFile = dir.resolve(PASSWORDS);
    try {
      Map<String, String> hashes = read(hashFile);
      Map<String, String> passwords = read(passwordFile);
      Map<String, String> made = new LinkedHashMap<>();
      List<Mailbox> mailboxes = new ArrayList<>();
      for (Mailbox mailbox : demo.mailboxes()) {
        String address = mailbox.primarySmtpAddress().toLowerCase(Locale.ROOT);
        if (mailbox.passwordHash() == null && !hashes.containsKey(address)) {
          String password = password();
          made.put(mailbox.primarySmtpAddress(), password);
          passwords.put(address, password);
          hashes.put(address, PasswordHash.create(password.toCharArray()).encoded());
        }
        mailboxes.add(mailbox.passwordHash() != null ? mailbox : mailbox.withPasswordHash(hashes.get(address)));
      }
      List<Administrator> administrators = new ArrayList<>(demo.administrators());
      if (demo.administrator(ADMINISTRATOR).isEmpty()) {
        if (!hashes.containsKey(ADMINISTRATOR)) {
          String password = password();
          made.put(ADMINISTRATOR, password);
          passwords.put(ADMINISTRATOR, password);
          hashes.put(ADMINISTRATOR, PasswordHash.create(password.toCharArray()).encoded());
        }
        administrators.add(new Administrator(ADMINISTRATOR, hashes.get(ADMINISTRATOR),
            Administrator.Role.OrganizationManagement));
      }
      if (!made.isEmpty()) {
        OwnerOnlyFiles.write(passwordFile, lines("# mailflow demo passwords (address password); keep private", passwords), true);
        OwnerOnlyFiles.write(hashFile, lines("# mailflow demo password hashes (address hash)", hashes), true);
      }
      Organization org = demo.withCredentials(mailboxes, administrators);
      return new Applied(org, made, passwordFile);
    } catch (IOException e) {
      throw new CliFailure("cannot keep the demo passwords in " + dir.toAbsolutePath() + ": " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new CliFailure(hashFile.toAbsolutePath() + ": " + e.getMessage() + " (delete "
          + dir.toAbsolutePath() + " to make new demo passwords)", e);
    }
  }

  /** The lines `mailflow run` prints: the passwords once, afterwards where they are kept. */
  static void print(Applied applied, PrintWriter out) {
    if (applied.made().isEmpty()) {
      out.printf("passwords     demo mailbox and admin passwords in %s (readable by you only)%n",
          applied.passwordFile().toAbsolutePath().normalize());
      return;
    }
    for (Map.Entry<String, String> entry : applied.made().entrySet()) {
      out.printf("password      %s  %s%s%n", entry.getKey(), entry.getValue(),
          entry.getKey().equals(ADMINISTRATOR) ? "  (admin server, OrganizationManagement)" : "");
    }
    out.printf("              shown once; kept in %s (readable by you only)%n",
        applied.passwordFile().toAbsolutePath().normalize());
  }

  private static String password() {
    StringBuilder sb = new StringBuilder(LENGTH);
    for (int i = 0; i < LENGTH; i++) {
      sb.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    }
    return sb.toString();
  }

  private static Map<String, String> read(Path file) throws IOException {
    Map<String, String> entries = new LinkedHashMap<>();
    if (!Files.exists(file)) {
      return entries;
    }
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      String[] parts = trimmed.split("\\s+", 2);
      if (parts.length == 2) {
        entries.put(parts[0].toLowerCase(Locale.ROOT), parts[1]);
      }
    }
    if (file.getFileName().toString().equals(HASHES)) {
      entries.values().forEach(PasswordHash::parse); // a damaged file is reported, not half used
    }
    return entries;
  }

  private static byte[] lines(String header, Map<String, String> entries) {
    StringBuilder sb = new StringBuilder(header).append('\n');
    entries.forEach((address, value) -> sb.append(address).append(' ').append(value).append('\n'));
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }
}
