package io.mailflow.edge.server;

import io.mailflow.organization.IpRange;
import io.mailflow.organization.Organization;
import io.mailflow.organization.ReceiveConnector;
import io.mailflow.organization.ReceiveConnector.Binding;
import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * ReceiveConnectorSelector - picks, among the receive connectors sharing one binding, the one that
 * takes a session: the connector whose remoteIpRanges hold the client's address with the smallest
 * range (Exchange's rule). Immutable; ranges are parsed once.
 */
public final class ReceiveConnectorSelector {
  private final List<Candidate> candidates;

  /** A connector and the range that matched the client's address. */
  public record Selection(ReceiveConnector connector, IpRange range) {}

  private record Candidate(ReceiveConnector connector, List<IpRange> ranges) {}

  /** The selector for connectors that share one binding (order breaks ties: first wins). */
  public ReceiveConnectorSelector(List<ReceiveConnector> connectors) {
    List<Candidate> list = new ArrayList<>();
    for (ReceiveConnector c : connectors) {
      list.add(new Candidate(c, c.ipRanges()));
    }
    this.candidates = List.copyOf(list);
  }

  /**
   * The connectors of {@code organization} a client reaching {@code localAddress:port} could get: those
   * with a binding on that port whose address is that one or a wildcard (0.0.0.0, ::); with
   * {@code localAddress} null, every binding on the port.
   */
  public static ReceiveConnectorSelector forEndpoint(Organization organization, InetAddress localAddress, int port) {
    return new ReceiveConnectorSelector(organization.receiveConnectors().stream()
        .filter(c -> c.bindings().stream().anyMatch(b -> listensOn(b, localAddress, port))).toList());
  }

  /** The connectors this selector chooses from, in configuration order. */
  public List<ReceiveConnector> connectors() {
    return candidates.stream().map(Candidate::connector).toList();
  }

  /** The connector for a client at {@code remote}, with the range that matched; empty when none matches. */
  public Optional<Selection> select(InetAddress remote) {
    Selection best = null;
    BigInteger bestSize = null;
    for (Candidate candidate : candidates) {
      for (IpRange range : candidate.ranges()) {
        if (range.contains(remote) && (bestSize == null || range.size().compareTo(bestSize) < 0)) {
          best = new Selection(candidate.connector(), range);
          bestSize = range.size();
        }
      }
    }
    return Optional.ofNullable(best);
  }

  private static boolean listensOn(Binding binding, InetAddress localAddress, int port) {
    if (binding.port() != port) {
      return false;
    }
    if (localAddress == null) {
      return true;
    }
    InetAddress bound = IpRange.parseAddress(binding.address());
    return bound.isAnyLocalAddress() || bound.equals(localAddress);
  }
}
