package io.mailflow.cli;

import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.Recipient;
import io.mailflow.schemas.avro.SubmittedMessage;
import io.mailflow.schemas.avro.ResolvedRecipient;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * ReplaySelection - which delivery-queue (or submission) records `mailflow replay` re-submits, and for which recipients:
 * all, one recipient address, one recipient domain, or one next-hop key (the record key). Copies that an
 * earlier replay made are never picked (replaying a window twice would otherwise double them), and a
 * recipient of one routed copy is picked once per run even when the copy sits in the queue several
 * times (its retries come back to mail.delivery.v1).
 */
final class ReplaySelection {
  private final String recipient;
  private final String domain;
  private final String nextHop;
  private final Set<String> picked = new HashSet<>();

  /** At most one of the three is non-null; none selects everything. */
  ReplaySelection(String recipient, String domain, String nextHop) {
    this.recipient = lower(recipient);
    this.domain = domain == null ? null : lower(domain.startsWith("@") ? domain.substring(1) : domain);
    this.nextHop = nextHop;
  }

  /** The copy to re-submit for this record, with only its selected recipients; empty if none. */
  Optional<DeliveryItem> pick(String key, DeliveryItem item) {
    if (item.getReplayOf() != null || item.getEnvelope().getReplayOf() != null
        || (nextHop != null && !nextHop.equals(key))) {
      return Optional.empty();
    }
    List<ResolvedRecipient> chosen = new ArrayList<>();
    for (ResolvedRecipient r : item.getRecipients()) {
      if (selects(r.getAddress()) && picked.add(item.getInternalMessageId() + "\n" + lower(r.getAddress()))) {
        chosen.add(r);
      }
    }
    if (chosen.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(DeliveryItem.newBuilder(item).setRecipients(chosen).build());
  }

  /**
   * The submission to re-submit for this record of mail.submission.v1 (the categorizer runs again), with only
   * its selected envelope recipients; empty if none, or if an earlier replay wrote it. A next-hop filter
   * selects nothing here: a submission has no next hop yet (the command refuses the combination).
   */
  Optional<SubmittedMessage> pick(String key, SubmittedMessage message) {
    if (message.getEnvelope().getReplayOf() != null || nextHop != null) {
      return Optional.empty();
    }
    List<Recipient> chosen = new ArrayList<>();
    for (Recipient r : message.getRecipients()) {
      if (selects(r.getAddress())
          && picked.add(message.getEnvelope().getNetworkMessageId() + "\n" + lower(r.getAddress()))) {
        chosen.add(r);
      }
    }
    if (chosen.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(SubmittedMessage.newBuilder(message).setRecipients(chosen).build());
  }

  private boolean selects(String address) {
    String a = lower(address);
    return (recipient == null || recipient.equals(a)) && (domain == null || a.endsWith("@" + domain));
  }

  private static String lower(String s) {
    return s == null ? null : s.toLowerCase(Locale.ROOT);
  }
}
