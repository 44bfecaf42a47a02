package io.mailflow.edge.protocol;

import io.mailflow.smtp.SmtpReply;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * SmtpConfig - the limits and identity one session runs with (taken from its receive connector).
 *
 * @param fqdn the name the server gives in its greeting and EHLO reply
 * @param banner the greeting text after {@code 220 }, or null for the standard one
 * @param maxMessageSize octets the client may send per message (Exchange default 36 MB)
 * @param maxRecipients recipients per message (Exchange default 200)
 * @param maxProtocolErrors unknown, malformed or out-of-sequence commands before the session is ended (5)
 * @param startTlsOffered whether STARTTLS is advertised; the adapter then does the handshake
 * @param clock for the greeting's date
 * @param authOffered whether AUTH PLAIN and LOGIN are offered (the connector's BasicAuth)
 * @param authRequiresTls whether AUTH is offered only once the session runs over TLS (BasicAuthRequireTLS)
 * @param maxLogonFailures failed AUTH attempts before the session is tarpitted and ended; 0 never ends it
 * @param tarpitInterval how long the reply to the last allowed failure is held back before the session ends
 * @param inlineBodyLimit octets of a message (trace header included) kept in memory; past it the body
 *     goes to the {@link BodySpill} the hooks give, the header section staying in memory (512 KB; a header
 *     section longer than this is waited for up to {@link #SPILL_HEADER_SECTION_LIMIT})
 * @param spillChunkSize octets per chunk handed to the spill (256 KB)
 * @param spillWindow spill writes in flight per session before the engine stops reading (4)
 */
public record SmtpConfig(String fqdn, String banner, long maxMessageSize, int maxRecipients,
    int maxProtocolErrors, boolean startTlsOffered, Clock clock, boolean authOffered, boolean authRequiresTls,
    int maxLogonFailures, Duration tarpitInterval, int inlineBodyLimit, int spillChunkSize, int spillWindow) {

  public static final long DEFAULT_MAX_MESSAGE_SIZE = 36L * 1024 * 1024;
  public static final int DEFAULT_MAX_RECIPIENTS = 200;
  public static final int DEFAULT_MAX_PROTOCOL_ERRORS = 5;
  /** RFC 5321 4.5.3.1.4: a command line is at most 512 octets including its CRLF. */
  public static final int MAX_COMMAND_LINE = 512;
  public static final int DEFAULT_MAX_LOGON_FAILURES = 3;
  public static final Duration DEFAULT_TARPIT_INTERVAL = Duration.ofSeconds(5);
  public static final int DEFAULT_INLINE_BODY_LIMIT = 512 * 1024;
  public static final int DEFAULT_SPILL_CHUNK_SIZE = 256 * 1024;
  /**
   * A spilled message's header section stays in memory and must end within this many octets (or the inline
   * limit, if larger), else 552 5.3.4: a header section that runs past a small inline limit is waited for.
   */
  public static final int SPILL_HEADER_SECTION_LIMIT = 512 * 1024;
  public static final int DEFAULT_SPILL_WINDOW = 4;
  /** RFC 5321 4.5.3.1.6: a text line is at most 1000 octets including its CRLF. */
  public static final int MAX_TEXT_LINE = 1000;

  private static final DateTimeFormatter RFC5322 =
      DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT);

  public SmtpConfig {
    if (fqdn == null || fqdn.isBlank() || fqdn.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) {
      throw new IllegalArgumentException("fqdn must be a host name without spaces, got '" + fqdn + "'");
    }
    if (banner != null && (banner.indexOf('\r') >= 0 || banner.indexOf('\n') >= 0)) {
      throw new IllegalArgumentException("banner must be one line, got '" + banner + "'");
    }
    requirePositive("maxMessageSize", maxMessageSize);
    requirePositive("maxRecipients", maxRecipients);
    requirePositive("maxProtocolErrors", maxProtocolErrors);
    if (clock == null) {
      clock = Clock.systemDefaultZone();
    }
    if (maxLogonFailures < 0) {
      throw new IllegalArgumentException("maxLogonFailures must not be negative, got " + maxLogonFailures);
    }
    if (tarpitInterval == null || tarpitInterval.isNegative()) {
      throw new IllegalArgumentException("tarpitInterval must be zero or positive, got " + tarpitInterval);
    }
    if (inlineBodyLimit <= 0 || spillChunkSize <= 0 || spillWindow <= 0) {
      throw new IllegalArgumentException("inlineBodyLimit, spillChunkSize and spillWindow must be positive, got "
          + inlineBodyLimit + ", " + spillChunkSize + ", " + spillWindow);
    }
  }

  private static void requirePositive(String name, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
  }

  /** Without the spill settings (512 KB inline, 256 KB chunks, 4 in flight). */
  public SmtpConfig(String fqdn, String banner, long maxMessageSize, int maxRecipients, int maxProtocolErrors,
      boolean startTlsOffered, Clock clock, boolean authOffered, boolean authRequiresTls, int maxLogonFailures,
      Duration tarpitInterval) {
    this(fqdn, banner, maxMessageSize, maxRecipients, maxProtocolErrors, startTlsOffered, clock, authOffered,
        authRequiresTls, maxLogonFailures, tarpitInterval, DEFAULT_INLINE_BODY_LIMIT, DEFAULT_SPILL_CHUNK_SIZE,
        DEFAULT_SPILL_WINDOW);
  }

  /** Without AUTH (Exchange's defaults for logon failures and tarpit apply once it is offered). */
  public SmtpConfig(String fqdn, String banner, long maxMessageSize, int maxRecipients, int maxProtocolErrors,
      boolean startTlsOffered, Clock clock) {
    this(fqdn, banner, maxMessageSize, maxRecipients, maxProtocolErrors, startTlsOffered, clock, false, false,
        DEFAULT_MAX_LOGON_FAILURES, DEFAULT_TARPIT_INTERVAL);
  }

  /** Exchange's defaults for a server named {@code fqdn}. */
  public static SmtpConfig defaults(String fqdn) {
    return new SmtpConfig(fqdn, null, DEFAULT_MAX_MESSAGE_SIZE, DEFAULT_MAX_RECIPIENTS,
        DEFAULT_MAX_PROTOCOL_ERRORS, false, Clock.systemDefaultZone());
  }

  public SmtpConfig withBanner(String text) {
    return new SmtpConfig(fqdn, text, maxMessageSize, maxRecipients, maxProtocolErrors, startTlsOffered, clock,
        authOffered, authRequiresTls, maxLogonFailures, tarpitInterval, inlineBodyLimit, spillChunkSize, spillWindow);
  }

  public SmtpConfig withMaxMessageSize(long octets) {
    return new SmtpConfig(fqdn, banner, octets, maxRecipients, maxProtocolErrors, startTlsOffered, clock,
        authOffered, authRequiresTls, maxLogonFailures, tarpitInterval, inlineBodyLimit, spillChunkSize, spillWindow);
  }

  public SmtpConfig withMaxRecipients(int count) {
    return new SmtpConfig(fqdn, banner, maxMessageSize, count, maxProtocolErrors, startTlsOffered, clock,
        authOffered, authRequiresTls, maxLogonFailures, tarpitInterval, inlineBodyLimit, spillChunkSize, spillWindow);
  }

  public SmtpConfig withMaxProtocolErrors(int count) {
    return new SmtpConfig(fqdn, banner, maxMessageSize, maxRecipients, count, startTlsOffered, clock,
        authOffered, authRequiresTls, maxLogonFailures, tarpitInterval, inlineBodyLimit, spillChunkSize, spillWindow);
  }

  public SmtpConfig withStartTls(boolean offered) {
    return new SmtpConfig(fqdn, banner, maxMessageSize, maxRecipients, maxProtocolErrors, offered, clock,
        authOffered, authRequiresTls, maxLogonFailures, tarpitInterval, inlineBodyLimit, spillChunkSize, spillWindow);
  }

  public SmtpConfig withClock(Clock c) {
    return new SmtpConfig(fqdn, banner, maxMessageSize, maxRecipients, maxProtocolErrors, startTlsOffered, c,
        authOffered, authRequiresTls, maxLogonFailures, tarpitInterval, inlineBodyLimit, spillChunkSize, spillWindow);
  }

  /** AUTH PLAIN and LOGIN offered, only over TLS when {@code requiresTls}. */
  public SmtpConfig withAuth(boolean offered, boolean requiresTls) {
    return new SmtpConfig(fqdn, banner, maxMessageSize, maxRecipients, maxProtocolErrors, startTlsOffered, clock,
        offered, requiresTls, maxLogonFailures, tarpitInterval, inlineBodyLimit, spillChunkSize, spillWindow);
  }

  /** After {@code max} failed AUTH attempts (0: never) the last reply waits {@code tarpit}, then the session ends. */
  public SmtpConfig withLogonFailures(int max, Duration tarpit) {
    return new SmtpConfig(fqdn, banner, maxMessageSize, maxRecipients, maxProtocolErrors, startTlsOffered, clock,
        authOffered, authRequiresTls, max, tarpit, inlineBodyLimit, spillChunkSize, spillWindow);
  }

  /** Messages over {@code inlineLimit} octets spill in {@code chunkSize} chunks, {@code window} in flight. */
  public SmtpConfig withBodySpill(int inlineLimit, int chunkSize, int window) {
    return new SmtpConfig(fqdn, banner, maxMessageSize, maxRecipients, maxProtocolErrors, startTlsOffered, clock,
        authOffered, authRequiresTls, maxLogonFailures, tarpitInterval, inlineLimit, chunkSize, window);
  }

  /** Whether AUTH is available in a session in this TLS state. */
  public boolean authAvailable(boolean tls) {
    return authOffered && (tls || !authRequiresTls);
  }

  /** The 220 greeting: the banner if configured, else Exchange's shape naming mailflow. */
  public SmtpReply greeting() {
    if (banner != null && !banner.isBlank()) {
      String text = banner.startsWith("220 ") ? banner.substring(4) : banner;
      return SmtpReply.of(220, "", text);
    }
    return SmtpReply.of(220, "",
        fqdn + " mailflow ESMTP MAIL Service ready at " + RFC5322.format(ZonedDateTime.now(clock)));
  }
}
