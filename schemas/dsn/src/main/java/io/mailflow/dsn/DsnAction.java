package io.mailflow.dsn;

/** DsnAction - the RFC 3464 Action a DSN reports for one recipient (the ones mailflow generates; not relayed). */
public enum DsnAction {
  /** Delivery failed for good: a 5xx, or the message expired in a queue. */
  FAILED("failed"),
  /** Still trying; the sender hears that it is taking long. */
  DELAYED("delayed"),
  /** Delivered (reported only when NOTIFY=SUCCESS asked for it). */
  DELIVERED("delivered"),
  /**
   * A group (alias) was expanded into its members and the message went on to them; reported only when
   * NOTIFY=SUCCESS asked for it (RFC 3461 6.2.7.3); the members inherit NOTIFY without SUCCESS.
   */
  EXPANDED("expanded"),

  /**
   * Handed to a server that will not report on it (no DSN extension, or NOTIFY not passed on): the last
   * word the sender will get (reported only when NOTIFY=SUCCESS asked for it).
   */
  RELAYED("relayed");

  private final String field;

  DsnAction(String field) {
    this.field = field;
  }

  /** The value of the Action field: {@code failed}, {@code delayed}, {@code delivered}, {@code relayed}. */
  public String field() {
    return field;
  }
}
