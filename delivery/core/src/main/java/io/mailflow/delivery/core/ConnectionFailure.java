package io.mailflow.delivery.core;

import io.mailflow.smtp.SmtpReply;
import java.util.Objects;

/**
 * ConnectionFailure - an SMTP attempt that ended without a reply to act on: the connection was refused,
 * dropped, went silent, or the remote spoke something that is not SMTP.
 *
 * <p>Each becomes a 4xx {@link SmtpReply} written by us, worded like Exchange's own (421 4.2.1 Unable to
 * connect, 421 4.4.2 Connection dropped ...), with the remote endpoint and the protocol phase in the
 * text so an administrator reading a queue's last error knows where it broke.
 *
 * @param kind what went wrong
 * @param endpoint {@code host:port} of the remote
 * @param phase the protocol step in progress, e.g. {@code connect}, {@code EHLO}, {@code DATA body}
 * @param detail the underlying cause in a few words (exception message), may be empty
 */
public record ConnectionFailure(Kind kind, String endpoint, String phase, String detail) {

  /** The ways an attempt can end without a usable reply. */
  public enum Kind {
    /** TCP connect refused, unreachable, or not established within the connect timeout. */
    CONNECT_FAILED,
    /** The remote closed the connection, or the socket failed, before the reply we were waiting for. */
    DROPPED,
    /** No reply (and no progress) within the reply timeout. */
    TIMED_OUT,
    /** The remote sent something that is not an SMTP reply, or an out-of-sequence one. */
    PROTOCOL_ERROR,
    /** The remote would not talk to us (5xx greeting, EHLO and HELO both refused): try another host. */
    SERVICE_REFUSED
  }

  public ConnectionFailure {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(phase, "phase");
    detail = detail == null ? "" : detail;
  }

  /** The transient reply that stands for this failure in outcomes and tracking events. */
  public SmtpReply reply() {
    String cause = detail.isEmpty() ? "" : ": " + detail;
    return switch (kind) {
      case CONNECT_FAILED -> SmtpReply.of(421, "4.2.1",
          "Unable to connect to " + endpoint + cause);
      case DROPPED -> SmtpReply.of(421, "4.4.2",
          "Connection dropped by " + endpoint + " during " + phase + cause);
      case TIMED_OUT -> SmtpReply.of(421, "4.4.2",
          "Connection dropped due to TimedOut waiting for " + endpoint + " during " + phase + cause);
      case PROTOCOL_ERROR -> SmtpReply.of(421, "4.5.0",
          "Protocol error from " + endpoint + " during " + phase + cause);
      case SERVICE_REFUSED -> SmtpReply.of(451, "4.4.0",
          "Primary target IP address responded with: \"" + detail + "\" during " + phase
              + ". The last endpoint attempted was " + endpoint);
    };
  }

  @Override
  public String toString() {
    return reply().toString();
  }
}
