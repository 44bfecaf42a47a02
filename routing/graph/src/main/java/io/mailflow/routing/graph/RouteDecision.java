package io.mailflow.routing.graph;

import java.util.List;
import java.util.Optional;

/**
 * RouteDecision - where one recipient's copy goes next, and why: the next-hop key the delivery queue is
 * keyed by, the site path it follows, and the explanation an admin's {@code explain} prints.
 *
 * @param path the site path the decision followed; empty when the destination is unreachable
 * @param explanation lines: the destination, the path with costs, why alternatives lost, the next hop
 * @param topologyVersion the {@link TopologyVersion} the decision was computed for
 */
public record RouteDecision(
    RoutingDestination destination,
    NextHopKey nextHop,
    Optional<Path> path,
    List<String> explanation,
    String topologyVersion) {

  public RouteDecision {
    explanation = List.copyOf(explanation);
  }

  public boolean isUnreachable() {
    return nextHop.deliveryType() == DeliveryType.Unreachable;
  }

  /** The explanation as printable text, one line each. */
  public String explain() {
    return String.join("\n", explanation);
  }
}
