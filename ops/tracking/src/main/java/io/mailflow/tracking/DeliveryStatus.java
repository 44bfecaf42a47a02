package io.mailflow.tracking;

/**
 * DeliveryStatus - where one recipient's copy of a message stands, in the words of Exchange's delivery reports
 * (Get-MessageTrackingReport, "Delivery reports" in Outlook on the web).
 */
public enum DeliveryStatus {
  /** Delivered to the recipient's mailbox (DELIVER). */
  DELIVERED("Delivered"),
  /** Still on its way: received, queued, deferred, or sent on to another server whose events are not indexed. */
  PENDING("Pending"),
  /** Delivery failed for good (FAIL; a non-delivery report went back to the sender). */
  FAILED("Failed"),
  /** Handed to a server outside the organization by SMTP (SEND to a foreign host): tracking ends there. */
  TRANSFERRED("Transferred"),
  /** A distribution group: expanded into its members, each with its own line. */
  EXPANDED("Expanded");

  private final String wording;

  DeliveryStatus(String wording) {
    this.wording = wording;
  }

  /** The word a delivery report shows ({@code Delivered} ...). */
  public String wording() {
    return wording;
  }

  @Override
  public String toString() {
    return wording;
  }
}
