package io.mailflow.cli;

import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.ResolvedRecipient;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * ReplaySelection - which delivery-queue records `mailflow replay` re-submits, and for which recipients:
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
    if (item.getReplayOf() != null || (nextHop != null && !nextHop.equals(key))) {
      return Optional.empty();
    }
    List<ResolvedRecipient> chosen = new ArrayList<>();
    for (ResolvedRecipient r : item.getRecipients()) {
      String address = lower(r.getAddress());
      if (recipient != null && !recipient.equals(address)) {
        continue;
      }
      if (domain != null && !address.endsWith("@" + domain)) {
        continue;
      }
      if (picked.add(item.getInternalMessageId() + "\n" + address)) {
        chosen.add(r);
      }
    }
    if (chosen.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(DeliveryItem.newBuilder(item).setRecipients(chosen).build());
  }

  private static String lower(String s) {
    return s == null ? null : s.toLowerCase(Locale.ROOT);
  }
}
