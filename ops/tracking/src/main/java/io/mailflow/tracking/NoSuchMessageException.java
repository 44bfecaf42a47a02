package io.mailflow.tracking;

import java.util.NoSuchElementException;

/**
 * NoSuchMessageException - the index knows no event of the message asked for a delivery report (by Message-ID or
 * network message id): it never passed here, its events are older than messageTrackingLogMaxAge, or the index has
 * not caught up with the topic yet. An API answers 404 with the message.
 */
public final class NoSuchMessageException extends NoSuchElementException {
  private static final long serialVersionUID = 1L;
  private final String id;

  public NoSuchMessageException(String id) {
    super("no message-tracking event of message '" + id + "' (neither a Message-ID nor a network message id the"
        + " index knows; it may be older than messageTrackingLogMaxAge, or not indexed yet)");
    this.id = id;
  }

  /** The id as asked. */
  public String id() {
    return id;
  }
}
