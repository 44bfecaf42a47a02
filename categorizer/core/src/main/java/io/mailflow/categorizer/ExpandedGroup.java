package io.mailflow.categorizer;

import io.mailflow.smtp.Notify;
import java.util.List;

/**
 * ExpandedGroup - a group expanded for a recipient whose NOTIFY asked for SUCCESS: RFC 3461 6.2.7.3 owes the
 * sender an "expanded" DSN for it, since its members inherit NOTIFY without SUCCESS and will never report
 * success themselves.
 *
 * @param address the group's primary address (Final-Recipient)
 * @param sender the envelope sender in effect where it was reached, null for the message's
 * @param orcpt the ORCPT in effect, or null
 * @param dsnNotify the NOTIFY in effect (contains SUCCESS)
 */
public record ExpandedGroup(String address, String sender, String orcpt, List<Notify> dsnNotify) {
  /** The status an expanded DSN reports, worded like Exchange's categorizer. */
  public static final String EXPANDED = "250 2.1.5 RESOLVER.GRP.Expanded; distribution list expanded";

  public ExpandedGroup {
    dsnNotify = List.copyOf(dsnNotify);
  }
}
