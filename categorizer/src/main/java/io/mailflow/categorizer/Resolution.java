package io.mailflow.categorizer;

/**
 * Resolution - one deliverable recipient.
 *
 * @param address where to deliver: a mailbox's primary SMTP address, or the external address as given
 * @param envelopeAddress the envelope recipient this one came from
 * @param kind mailbox or external
 * @param database the mailbox database, for mailboxes
 * @param expandedFrom the innermost group whose expansion produced it, or null
 */
public record Resolution(String address, String envelopeAddress, Kind kind, String database, String expandedFrom) {
  public enum Kind { MAILBOX, EXTERNAL }
}
