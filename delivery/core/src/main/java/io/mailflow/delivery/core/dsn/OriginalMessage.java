package io.mailflow.delivery.core.dsn;

import java.time.Instant;
import java.util.Objects;

/**
 * OriginalMessage - the message a DSN reports on: its envelope facts the DSN repeats and its content.
 *
 * @param envelopeSender MAIL FROM without brackets; the DSN goes there; empty for {@code <>}
 * @param envId the RFC 3461 ENVID as received (xtext), or null
 * @param arrivalDate when the message was received (Arrival-Date)
 * @param ret the RFC 3461 RET parameter, or null (treated as HDRS)
 * @param content the message as received, headers and body
 */
public record OriginalMessage(String envelopeSender, String envId, Instant arrivalDate, Return ret,
    byte[] content) {

  /** RFC 3461 RET: what of the original a failure DSN carries back. */
  public enum Return { FULL, HDRS }

  public OriginalMessage {
    Objects.requireNonNull(envelopeSender, "envelopeSender");
    Objects.requireNonNull(arrivalDate, "arrivalDate");
    Objects.requireNonNull(content, "content");
  }
}
