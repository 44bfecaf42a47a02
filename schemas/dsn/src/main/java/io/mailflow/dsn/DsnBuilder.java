package io.mailflow.dsn;

import io.mailflow.smtp.Ret;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * DsnBuilder - writes an RFC 3464 delivery status notification: {@code multipart/report;
 * report-type=delivery-status} with a human-readable part worded like Exchange's, the
 * {@code message/delivery-status} part, and the original message's headers (RET=HDRS or no RET, as
 * text/rfc822-headers) or the whole message (RET=FULL, message/rfc822).
 *
 * <p>It only writes. Whether a recipient may be reported at all is {@link DsnPolicy}'s question; the
 * one rule enforced here too is that a message from the null sender never gets a DSN.
 */
public final class DsnBuilder {

  /** RFC 5322 date-time with a numeric zone, always UTC. */
  static final DateTimeFormatter RFC_5322_DATE =
      DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ENGLISH).withZone(ZoneOffset.UTC);

  private static final int TEXT_WIDTH = 76;
  /** Said when RET=FULL was asked for but only the headers are at hand (RFC 3464 allows returning headers only). */
  public static final String HEADERS_ONLY_NOTE = "The original message was too large to return in full, so only"
      + " its headers are attached.";

  private final String reportingMta;
  private final String postmaster;

  /**
   * @param reportingMta this server's FQDN (Reporting-MTA: dns; ..., and "Generating server")
   * @param postmaster the From: address, postmaster of the default accepted domain
   */
  public DsnBuilder(String reportingMta, String postmaster) {
    this.reportingMta = requireToken("reportingMta", reportingMta);
    this.postmaster = requireToken("postmaster", postmaster);
    if (!postmaster.contains("@")) {
      throw new IllegalArgumentException("postmaster must be an address like postmaster@contoso.com, got '"
          + postmaster + "'");
    }
  }

  /**
   * What makes one DSN unique: its Date, Message-ID (with angle brackets) and MIME boundary. Tests fix
   * them; {@link #fresh} draws new ones.
   */
  public record Stamp(Instant date, String messageId, String boundary) {
    public Stamp {
      Objects.requireNonNull(date, "date");
      if (messageId == null || !messageId.startsWith("<") || !messageId.endsWith(">")) {
        throw new IllegalArgumentException("messageId must be <id@domain>, got '" + messageId + "'");
      }
      if (boundary == null || !boundary.matches("[0-9A-Za-z'()+_,./:=?-]{1,70}")) {
        throw new IllegalArgumentException("boundary must be 1..70 RFC 2046 bchars without spaces, got '"
            + boundary + "'");
      }
    }

    /** A new Message-ID under {@code domain} and a random boundary. */
    public static Stamp fresh(Instant now, String domain) {
      String id = UUID.randomUUID().toString();
      return new Stamp(now, "<" + id + "@" + domain + ">", "mailflow-dsn-" + id);
    }
  }

  /**
   * The DSN for {@code recipients} of {@code original}, to its envelope sender.
   *
   * @throws IllegalArgumentException when the original's sender is the null sender, or there is no
   *     recipient to report
   */
  public Dsn build(OriginalMessage original, List<DsnRecipient> recipients, Stamp stamp) {
    Objects.requireNonNull(original, "original");
    Objects.requireNonNull(stamp, "stamp");
    if (original.envelopeSender().isEmpty()) {
      throw new IllegalArgumentException("no DSN about a message from the null sender <> (RFC 5321 6.1)");
    }
    if (recipients == null || recipients.isEmpty()) {
      throw new IllegalArgumentException("a DSN reports on at least one recipient");
    }
    OriginalHeaders headers = OriginalHeaders.of(original.content());
    boolean full = original.ret() == Ret.FULL && !original.headersOnly();
    byte[] returned = full ? OriginalHeaders.toCrlf(original.content()) : headers.bytes();
    String boundary = stamp.boundary();
    String base = boundary.length() > 60 ? boundary.substring(0, 60) : boundary;
    for (int i = 1; contains(returned, "--" + boundary); i++) { // the original may not end our parts early
      boundary = base + "." + i;
    }
    String subject = HeaderLines.encodeIfNeeded(subjectPrefix(recipients)
        + HeaderLines.clean(headers.value("Subject").orElse("")));

    ByteArrayOutputStream out = new ByteArrayOutputStream(4096 + returned.length);
    StringBuilder head = new StringBuilder(1024);
    head.append(HeaderLines.field("From", postmaster))
        .append(HeaderLines.field("To", "<" + original.envelopeSender() + ">"))
        .append(HeaderLines.field("Date", RFC_5322_DATE.format(stamp.date())))
        .append(HeaderLines.field("Subject", subject))
        .append(HeaderLines.field("Message-ID", stamp.messageId()));
    Optional<String> originalId = headers.value("Message-ID").filter(DsnBuilder::isMessageId);
    originalId.ifPresent(id -> head.append(HeaderLines.field("In-Reply-To", id))
        .append(HeaderLines.field("References", id)));
    head.append(HeaderLines.field("Auto-Submitted", "auto-replied"))
        .append(HeaderLines.field("MIME-Version", "1.0"))
        .append(HeaderLines.field("Content-Type",
            "multipart/report; report-type=delivery-status; boundary=\"" + boundary + "\""))
        .append("\r\n");

    String text = humanReadable(recipients, original.retryUntil() == null ? null
        : Duration.between(stamp.date(), original.retryUntil()));
    if (original.ret() == Ret.FULL && original.headersOnly()) {
      text += "\r\n" + HeaderLines.wrap(HEADERS_ONLY_NOTE, TEXT_WIDTH);
    }
    boolean textIsAscii = isAscii(text.getBytes(StandardCharsets.UTF_8));
    head.append("--").append(boundary).append("\r\n")
        .append(HeaderLines.field("Content-Type", "text/plain; charset=" + (textIsAscii ? "us-ascii" : "utf-8")))
        .append(HeaderLines.field("Content-Transfer-Encoding", textIsAscii ? "7bit" : "8bit"))
        .append("\r\n")
        .append(text)
        .append("\r\n--").append(boundary).append("\r\n")
        .append(HeaderLines.field("Content-Type", "message/delivery-status"))
        .append("\r\n")
        .append(deliveryStatus(original, recipients))
        .append("\r\n--").append(boundary).append("\r\n")
        .append(HeaderLines.field("Content-Type", full ? "message/rfc822" : "text/rfc822-headers"));
    if (!isAscii(returned)) {
      head.append(HeaderLines.field("Content-Transfer-Encoding", "8bit"));
    }
    head.append("\r\n");
    write(out, head);
    out.writeBytes(returned);
    if (returned.length > 0 && returned[returned.length - 1] != '\n') {
      write(out, "\r\n");
    }
    write(out, "\r\n--" + boundary + "--\r\n");
    return new Dsn(original.envelopeSender(), stamp.messageId(), subject, out.toByteArray());
  }

  /** The per-message fields, then one block per recipient (RFC 3464 2.2, 2.3). */
  private String deliveryStatus(OriginalMessage original, List<DsnRecipient> recipients) {
    StringBuilder sb = new StringBuilder(512);
    sb.append(HeaderLines.field("Reporting-MTA", "dns; " + reportingMta));
    if (original.envId() != null && !original.envId().isEmpty()) {
      sb.append(HeaderLines.field("Original-Envelope-Id", Xtext.decode(original.envId())));
    }
    sb.append(HeaderLines.field("Arrival-Date", RFC_5322_DATE.format(original.arrivalDate())));
    for (DsnRecipient r : recipients) {
      sb.append("\r\n");
      sb.append(HeaderLines.field("Final-Recipient", addressType(r.finalRecipient()) + "; " + r.finalRecipient()));
      originalRecipient(r.orcpt()).ifPresent(o -> sb.append(HeaderLines.field("Original-Recipient", o)));
      sb.append(HeaderLines.field("Action", r.action().field()))
          .append(HeaderLines.field("Status", r.status()));
      if (r.remoteMta() != null && !r.remoteMta().isBlank()) {
        sb.append(HeaderLines.field("Remote-MTA", "dns; " + r.remoteMta()));
      }
      sb.append(HeaderLines.field("Diagnostic-Code", "smtp; " + r.reply().line()));
    }
    return sb.toString();
  }

  /**
   * Exchange's wording: a section per kind of outcome, then the diagnostic information; {@code retrying} is how
   * much longer delivery is tried (a delay report says so, as Exchange's do), or null.
   */
  private String humanReadable(List<DsnRecipient> recipients, Duration retrying) {
    StringBuilder sb = new StringBuilder(1024);
    section(sb, recipients, DsnAction.FAILED, "Delivery has failed to these recipients or groups:");
    section(sb, recipients, DsnAction.DELAYED, "Delivery is delayed to these recipients or groups:");
    if (retrying != null && !retrying.isNegative()
        && recipients.stream().anyMatch(r -> r.action() == DsnAction.DELAYED)) {
      sb.append(HeaderLines.wrap(keepTrying(retrying), TEXT_WIDTH)).append("\r\n");
    }
    section(sb, recipients, DsnAction.DELIVERED, "Your message has been delivered to the following recipients:");
    section(sb, recipients, DsnAction.EXPANDED,
        "These groups received your message and passed it on to their members:");
    section(sb, recipients, DsnAction.RELAYED, "Delivery to these recipients or groups is complete, but no delivery"
        + " notification was sent by the destination server:");
    sb.append("\r\nDiagnostic information for administrators:\r\n\r\n")
        .append(HeaderLines.wrap("Generating server: " + reportingMta, TEXT_WIDTH));
    for (DsnRecipient r : recipients) {
      sb.append("\r\n").append(HeaderLines.wrap(r.finalRecipient(), TEXT_WIDTH));
      String said = r.remoteMta() == null || r.remoteMta().isBlank()
          ? reportingMta + " returned '" + r.reply().line() + "'"
          : "Remote Server at " + r.remoteMta() + " returned '" + r.reply().line() + "'";
      sb.append(HeaderLines.wrap(said, TEXT_WIDTH));
      if (r.command() != null) {
        // Postfix's phrase, on a line of its own so no wrapping splits it: bounce parsers read the command from it
        sb.append(HeaderLines.wrap("(" + r.command().inReplyTo() + ")", TEXT_WIDTH));
      }
    }
    return sb.toString();
  }

  /** Exchange's sentence, its plural kept even for one ("1 days, 19 hours and 53 minutes"). */
  static String keepTrying(Duration retrying) {
    long minutes = retrying.toMinutes();
    return "The server will keep trying to deliver this message for the next " + minutes / (24 * 60) + " days, "
        + minutes / 60 % 24 + " hours and " + minutes % 60 + " minutes. You'll be notified if the message can't be"
        + " delivered by that time.";
  }

  private static void section(StringBuilder sb, List<DsnRecipient> recipients, DsnAction action, String title) {
    List<DsnRecipient> these = new ArrayList<>();
    for (DsnRecipient r : recipients) {
      if (r.action() == action) {
        these.add(r);
      }
    }
    if (these.isEmpty()) {
      return;
    }
    sb.append(title).append("\r\n\r\n");
    for (DsnRecipient r : these) {
      sb.append(HeaderLines.wrap(r.finalRecipient(), TEXT_WIDTH));
      explanation(r).ifPresent(why -> sb.append(HeaderLines.wrap(why, TEXT_WIDTH)));
      sb.append("\r\n");
    }
  }

  /** What the sender can do about it, by status (Exchange's texts for the common cases). */
  private static Optional<String> explanation(DsnRecipient r) {
    if (r.action() == DsnAction.DELIVERED || r.action() == DsnAction.EXPANDED || r.action() == DsnAction.RELAYED) {
      return Optional.empty();
    }
    if (r.action() == DsnAction.DELAYED) {
      return Optional.of("This message hasn't been delivered yet. Delivery will continue to be attempted.");
    }
    return Optional.of(switch (r.status()) {
      case "5.1.1", "5.1.10", "5.1.0" -> "The email address you entered couldn't be found. Please check the"
          + " recipient's email address and try to resend the message. If the problem continues, please contact"
          + " your helpdesk.";
      case "5.2.2" -> "The recipient's mailbox is full and can't accept messages now. Please try resending this"
          + " message later, or contact the recipient directly.";
      case "5.3.4", "5.2.3" -> "This message is too large for the recipient's email system. Please try to"
          + " resend a smaller message.";
      case "5.5.3" -> "Your message has too many recipients. Please split the recipients into smaller groups"
          + " and send the message to each group.";
      case "5.7.60" -> "You don't have permission to send as the sender shown in this message. Please send it"
          + " from your own address, or ask your email admin for Send As permission.";
      case "4.3.2" -> "Your message was deleted by an administrator of your email system before it could be"
          + " delivered (QUEUE.Admin). If you need it delivered, please contact your helpdesk.";
      case "4.4.7" -> "The message couldn't be delivered in the time allowed: the recipient's email system"
          + " didn't accept it before the message expired. Please try to resend the message later. If the"
          + " problem continues, please contact your helpdesk.";
      default -> "Your message couldn't be delivered. The recipient's email system refused it; the reason is"
          + " under Diagnostic information for administrators. If the problem continues, please contact your"
          + " helpdesk.";
    });
  }

  private static String subjectPrefix(List<DsnRecipient> recipients) {
    if (recipients.stream().anyMatch(r -> r.action() == DsnAction.FAILED)) {
      return "Undeliverable: ";
    }
    if (recipients.stream().anyMatch(r -> r.action() == DsnAction.DELAYED)) {
      return "Delivery delayed: ";
    }
    if (recipients.stream().allMatch(r -> r.action() == DsnAction.EXPANDED)) {
      return "Expanded: ";
    }
    if (recipients.stream().anyMatch(r -> r.action() == DsnAction.RELAYED)) {
      return "Relayed: ";
    }
    return "Delivered: ";
  }

  /** ORCPT {@code rfc822;bob+2Bx@example.com} as {@code rfc822; bob+x@example.com}; malformed: none. */
  private static Optional<String> originalRecipient(String orcpt) {
    if (orcpt == null) {
      return Optional.empty();
    }
    int semi = orcpt.indexOf(';');
    if (semi <= 0 || semi == orcpt.length() - 1) {
      return Optional.empty();
    }
    return Optional.of(orcpt.substring(0, semi).trim() + "; " + Xtext.decode(orcpt.substring(semi + 1).trim()));
  }

  /** RFC 6533: an address that is not ASCII is of type utf-8, not rfc822. */
  private static String addressType(String address) {
    return address.chars().allMatch(c -> c < 128) ? "rfc822" : "utf-8";
  }

  private static boolean isMessageId(String value) {
    return value.startsWith("<") && value.endsWith(">") && value.indexOf(' ') < 0 && value.length() < 500;
  }

  private static boolean isAscii(byte[] bytes) {
    for (byte b : bytes) {
      if (b < 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean contains(byte[] data, String needle) {
    byte[] n = needle.getBytes(StandardCharsets.US_ASCII);
    outer:
    for (int i = 0; i + n.length <= data.length; i++) {
      for (int j = 0; j < n.length; j++) {
        if (data[i + j] != n[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  private static void write(ByteArrayOutputStream out, CharSequence text) {
    out.writeBytes(text.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static String requireToken(String name, String value) {
    if (value == null || value.isBlank() || !value.equals(HeaderLines.clean(value).trim())
        || value.indexOf(' ') >= 0) {
      throw new IllegalArgumentException(name + " must be a non-empty name without spaces or controls, got '"
          + value + "'");
    }
    return value;
  }
}
