package io.mailflow.edge.server;

import io.mailflow.smtp.SmtpReply;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * HeaderFirewall - what the edge checks in a message's header section before queueing it: its size
 * (maxHeaderSize), its hop count (Received fields, Exchange's MaxHopCount) and, for sessions without
 * ms-Exch-Accept-Headers-Routing, the organization's own {@code X-MailFlow-*} fields, which are
 * removed so nobody outside can steer the pipeline, and every {@code Received:} field, as Exchange
 * strips them ("If this permission isn't granted, the server will strip all received headers"): an
 * untrusted trace is not kept and not counted. {@code Resent-*} fields are not routing headers and are
 * kept. Works on octets; the body is copied untouched.
 *
 * <p>Exchange's {@code X-MS-Exchange-Organization-*} fields are trusted only on a relay from another
 * server of the organization ({@link OrganizationRelay}): there the network message id is taken from
 * its field (which is then removed: the envelope carries it), the edge's own Received field counts as
 * a hop and the limit is the internal one. From anyone else they are removed like {@code X-MailFlow-*}.
 */
final class HeaderFirewall {
  /** Exchange's MaxHopCount default: more Received fields than this looks like a mail loop. */
  static final int MAX_HOP_COUNT = 30;
  /** Exchange's MaxHopCount on a Mailbox server's connectors: the limit for relays between our servers. */
  static final int MAX_INTERNAL_HOP_COUNT = 60;
  static final String EXCHANGE_ORGANIZATION_HEADER_PREFIX = "x-ms-exchange-organization-";
  static final String ORGANIZATION_HEADER_PREFIX = "x-mailflow-";

  static final SmtpReply HEADER_TOO_LARGE = SmtpReply.of(552, "5.3.4", "Message header size exceeds limit");
  static final SmtpReply HOP_COUNT_EXCEEDED = SmtpReply.of(554, "5.4.6", "Hop count exceeded - possible mail loop");

  private HeaderFirewall() {}

  /**
   * The verdict on a message.
   *
   * @param refusal the reply refusing the message, or null
   * @param content the content to queue (fields stripped); the input itself when nothing was stripped
   * @param stripped how many fields were removed (organization fields, and Received fields of a session
   *     without AcceptRoutingHeaders)
   * @param hops how many trusted Received fields the client's header section has (plus the edge's own on
   *     an organization relay); 0 without AcceptRoutingHeaders
   * @param networkMessageId the relaying server's network message id, only on an organization relay; else null
   */
  record Verdict(SmtpReply refusal, byte[] content, int stripped, int hops, String networkMessageId) {
    Verdict(SmtpReply refusal, byte[] content, int stripped, int hops) {
      this(refusal, content, stripped, hops, null);
    }
  }

  /**
   * Checks the header section that starts at {@code from} in {@code content} (octets before it, the
   * edge's own trace header, are kept and not counted).
   */
  static Verdict apply(byte[] content, int from, int maxHeaderSize, boolean acceptRoutingHeaders) {
    return apply(content, from, maxHeaderSize, acceptRoutingHeaders, false);
  }

  /**
   * As {@link #apply(byte[], int, int, boolean)}; {@code organizationRelay} when the session is another
   * server of the organization relaying (it holds AcceptRoutingHeaders and comes from a server's address).
   */
  static Verdict apply(byte[] content, int from, int maxHeaderSize, boolean acceptRoutingHeaders,
      boolean organizationRelay) {
    boolean relay = organizationRelay && acceptRoutingHeaders;
    int at = from;
    int hops = relay && from > 0 ? 1 : 0; // a loop between our servers adds our own fields on every pass
    int stripped = 0;
    int consumed = 0;
    String networkMessageId = null;
    boolean dropping = false;
    ByteArrayOutputStream kept = new ByteArrayOutputStream(content.length);
    kept.write(content, 0, from);
    while (at < content.length) {
      int end = lineEnd(content, at); // index just after the line's LF, or content.length
      if (isBlank(content, at, end)) {
        break; // the empty line ending the header section
      }
      if (at - from + (end - at) > maxHeaderSize) {
        return new Verdict(HEADER_TOO_LARGE, content, 0, hops);
      }
      boolean continuation = content[at] == ' ' || content[at] == '\t';
      if (!continuation) {
        String name = fieldName(content, at, end);
        // Exchange strips every Received field from a session without ms-Exch-Accept-Headers-Routing:
        // a trace it does not trust is neither kept nor counted as hops
        boolean untrustedTrace = !acceptRoutingHeaders && name.equals("received");
        dropping = untrustedTrace
            || (!acceptRoutingHeaders && name.startsWith(ORGANIZATION_HEADER_PREFIX))
            || (!relay && name.startsWith(EXCHANGE_ORGANIZATION_HEADER_PREFIX));
        if (name.equals("received") && !untrustedTrace) {
          hops++;
        }
        if (dropping) {
          stripped++;
        } else if (relay && name.equals(OrganizationRelay.NETWORK_MESSAGE_ID_HEADER_LOWER)) {
          dropping = true;
          consumed++;
          if (networkMessageId == null) {
            networkMessageId = OrganizationRelay.networkMessageId(fieldValue(content, at, end));
          }
        }
      }
      if (!dropping) {
        kept.write(content, at, end - at);
      }
      at = end;
    }
    if (hops > (relay ? MAX_INTERNAL_HOP_COUNT : MAX_HOP_COUNT)) {
      return new Verdict(HOP_COUNT_EXCEEDED, content, 0, hops);
    }
    if (stripped == 0 && consumed == 0) {
      return new Verdict(null, content, 0, hops, networkMessageId);
    }
    kept.write(content, at, content.length - at);
    return new Verdict(null, kept.toByteArray(), stripped, hops, networkMessageId);
  }

  /** The unfolded value of the field on the line at {@code at} (a network message id is never folded). */
  private static String fieldValue(byte[] content, int at, int end) {
    String line = new String(content, at, end - at, StandardCharsets.ISO_8859_1);
    return line.substring(line.indexOf(':') + 1).strip();
  }

  private static int lineEnd(byte[] content, int at) {
    for (int i = at; i < content.length; i++) {
      if (content[i] == '\n') {
        return i + 1;
      }
    }
    return content.length;
  }

  private static boolean isBlank(byte[] content, int at, int end) {
    int length = end - at;
    return (length == 2 && content[at] == '\r') || (length == 1 && content[at] == '\n');
  }

  private static String fieldName(byte[] content, int at, int end) {
    int colon = at;
    while (colon < end && content[colon] != ':') {
      colon++;
    }
    return new String(content, at, colon - at, StandardCharsets.ISO_8859_1).strip().toLowerCase(Locale.ROOT);
  }
}
