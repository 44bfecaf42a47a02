package io.mailflow.categorizer;

import io.mailflow.smtp.Notify;
import java.util.List;

/**
 * Resolution - one deliverable recipient.
 *
 * @param address where to deliver: a mailbox's primary SMTP address, or the external address as given
 * @param envelopeAddress the envelope recipient this one came from
 * @param kind mailbox or external
 * @param database the mailbox database, for mailboxes
 * @param expandedFrom the innermost group whose expansion produced it, or null
 * @param sender the envelope sender of this recipient's copy when it is not the message's: a group
 *     manager's address, or {@code ""} (the null sender) when the group sends reports to nobody; null keeps
 *     the message's sender
 * @param orcpt the RFC 3461 ORCPT to deliver with, or null
 * @param dsnNotify the RFC 3461 NOTIFY keywords to deliver with; empty means the default
 * @param forwardedFrom the mailbox that kept a copy and forwarded this one (its copy is separate), or null
 */
public record Resolution(String address, String envelopeAddress, Kind kind, String database, String expandedFrom,
    String sender, String orcpt, List<Notify> dsnNotify, String forwardedFrom) {
  public enum Kind { MAILBOX, EXTERNAL }

  public Resolution {
    dsnNotify = List.copyOf(dsnNotify);
  }

  /** A recipient with the message's own sender and no DSN parameters. */
  public Resolution(String address, String envelopeAddress, Kind kind, String database, String expandedFrom) {
    this(address, envelopeAddress, kind, database, expandedFrom, null, null, List.of(), null);
  }

  /**
   * What puts recipients into separate copies: a different envelope sender, or a forwarding that keeps
   * the mailbox's own copy apart. Recipients with equal keys may share a copy.
   */
  public record CopyKey(String sender, String forwardedFrom) {}

  public CopyKey copyKey() {
    return new CopyKey(sender, forwardedFrom);
  }
}
