package io.mailflow.dsn;

import io.mailflow.smtp.Ret;
import java.time.Instant;
import java.util.Objects;

/**
 * OriginalMessage - the message a DSN reports on: its envelope facts the DSN repeats and its content.
 *
 * @param envelopeSender MAIL FROM without brackets; the DSN goes there; empty for {@code <>}
 * @param envId the RFC 3461 ENVID as received (xtext), or null
 * @param arrivalDate when the message was received (Arrival-Date)
 * @param ret the RFC 3461 RET parameter, or null (treated as HDRS)
 * @param content the message as received, headers and body; or only its header section when
 *     {@code headersOnly}
 * @param headersOnly true when {@code content} is only the header section because the whole message is
 *     not at hand (a claim-checked body too large to return): RET=FULL then returns the headers and the
 *     report says why (RFC 3464 allows returning headers only)
 * @param retryUntil when delivery stops being tried (the message expires), for a delay report's "The server will
 *     keep trying to deliver this message for the next ..."; null: not said
 */
public record OriginalMessage(String envelopeSender, String envId, Instant arrivalDate, Ret ret,
    byte[] content, boolean headersOnly, Instant retryUntil) {

  /** Without a retry deadline (non-delivery and success reports). */
  public OriginalMessage(String envelopeSender, String envId, Instant arrivalDate, Ret ret, byte[] content,
      boolean headersOnly) {
    this(envelopeSender, envId, arrivalDate, ret, content, headersOnly, null);
  }

  /** The same message, delivery tried until {@code until} (a delay report says how long that is). */
  public OriginalMessage withRetryUntil(Instant until) {
    return new OriginalMessage(envelopeSender, envId, arrivalDate, ret, content, headersOnly, until);
  }

  public OriginalMessage {
    Objects.requireNonNull(envelopeSender, "envelopeSender");
    Objects.requireNonNull(arrivalDate, "arrivalDate");
    Objects.requireNonNull(content, "content");
  }

  /** The whole message is at hand. */
  public OriginalMessage(String envelopeSender, String envId, Instant arrivalDate, Ret ret, byte[] content) {
    this(envelopeSender, envId, arrivalDate, ret, content, false);
  }
}
