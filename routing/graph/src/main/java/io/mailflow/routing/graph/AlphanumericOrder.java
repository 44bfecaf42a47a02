package io.mailflow.routing.graph;

import java.util.Comparator;

/** AlphanumericOrder - Exchange's last tie-break for sites and connectors: names, case-insensitive as AD's. */
final class AlphanumericOrder {
  /** Case-insensitive first; case only separates names that AD would call equal, to stay deterministic. */
  static final Comparator<String> NAMES =
      String.CASE_INSENSITIVE_ORDER.thenComparing(Comparator.naturalOrder());

  private AlphanumericOrder() {}
}
