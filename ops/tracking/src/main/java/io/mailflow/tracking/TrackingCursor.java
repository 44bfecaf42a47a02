package io.mailflow.tracking;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * TrackingCursor - where a page ends: the sort values (date-time in ms, then the event's position on
 * mail.tracking.v1) of its last event, as an opaque URL-safe string.
 */
record TrackingCursor(long dateTime, long position) {
  private static final String VERSION = "1";

  String encode() {
    String plain = VERSION + ":" + dateTime + ":" + position;
    return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.US_ASCII));
  }

  static TrackingCursor decode(String text) {
    try {
      String plain = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.US_ASCII);
      String[] parts = plain.split(":");
      if (parts.length == 3 && parts[0].equals(VERSION)) {
        return new TrackingCursor(Long.parseLong(parts[1]), Long.parseLong(parts[2]));
      }
    } catch (IllegalArgumentException bad) {
      // said below (NumberFormatException is one too)
    }
    throw new TrackingQueryException("Cursor", "Cursor '" + text
        + "' is not a cursor this index gave (pass a page's next value unchanged)");
  }
}
