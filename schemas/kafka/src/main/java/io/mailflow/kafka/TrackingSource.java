package io.mailflow.kafka;

/**
 * TrackingSource - the source field of a message-tracking event: the transport component that wrote it,
 * named as Exchange names its sources where Exchange has one.
 *
 * <p>{@link #CATEGORIZER} is mailflow's own: Exchange writes recipient resolution under ROUTING, but here
 * resolution and routing are separate stages and an admin needs to tell them apart.
 */
public enum TrackingSource {
  /** The SMTP receive or send component. */
  SMTP,
  /** Mailbox delivery (Maildir or LMTP). */
  STOREDRIVER,
  /** Routing: next-hop selection. */
  ROUTING,
  /** mailflow's own: recipient resolution and expansion. */
  CATEGORIZER,
  /** Delivery status notifications. */
  DSN,
  /** Delivery queues: Unreachable queue hand-back, queue states. */
  QUEUE,
  /** Safety Net: replay by an administrator. */
  SAFETYNET,
  /** An administrator's own action (Exchange's ADMIN: human intervention, e.g. in Queue Viewer). */
  ADMIN
}
