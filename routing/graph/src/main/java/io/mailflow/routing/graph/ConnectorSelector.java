package io.mailflow.routing.graph;

import io.mailflow.organization.Organization;
import io.mailflow.organization.SendConnector;
import io.mailflow.organization.SendConnector.AddressSpace;
import io.mailflow.organization.Server;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * ConnectorSelector - picks the send connector for an external domain as Exchange does: drop connectors
 * too small for the message, keep the most specific address-space match ({@code contoso.com} beats
 * {@code *.contoso.com} beats {@code *}), then the lowest total cost (site path to the nearest source
 * server's site + address-space cost), then the closest source (this server, this site, elsewhere), then
 * the alphanumerically lower connector name. Immutable; safe to share between threads.
 */
public final class ConnectorSelector {

  /** How near the connector's closest source server is to this server. */
  public enum Proximity { THIS_SERVER, THIS_SITE, REMOTE_SITE }

  /**
   * A connector that can carry the message.
   *
   * @param addressSpace the connector's best-matching address space for the domain
   * @param path from this site to the site of the connector's nearest source server
   */
  public record Candidate(SendConnector connector, AddressSpace addressSpace, int specificity, Path path,
      Proximity proximity) {
    public int totalCost() {
      return path.totalCost() + addressSpace.cost();
    }

    public String sourceSite() {
      return path.destination();
    }

    String describe() {
      return "connector " + connector.name() + " (address space '" + addressSpace.domain() + "' cost "
          + addressSpace.cost() + ", source site " + sourceSite() + " at path cost " + path.totalCost()
          + ", total cost " + totalCost() + ", nearest source: " + where(proximity) + ")";
    }
  }

  /** The outcome: the chosen connector if any, and one line per connector saying why it won or lost. */
  public record Selection(String domain, Optional<Candidate> chosen, List<String> reasons) {
    public Selection {
      reasons = List.copyOf(reasons);
    }
  }

  private final List<SendConnector> connectors;
  private final Organization organization;
  private final SiteGraph graph;
  private final String localSite;

  /**
   * @throws IllegalArgumentException when a connector has a blank name or an address space that is not
   *     {@code *}, {@code *.domain} or {@code domain}, or this node's site is not in the graph
   */
  public ConnectorSelector(Organization organization, SiteGraph graph) {
    this.organization = organization;
    this.graph = graph;
    this.localSite = graph.canonicalName(organization.siteName());
    for (SendConnector connector : organization.sendConnectors()) {
      validate(connector);
    }
    this.connectors = organization.sendConnectors().stream()
        .sorted(Comparator.comparing(SendConnector::name, AlphanumericOrder.NAMES))
        .toList();
  }

  private static void validate(SendConnector connector) {
    if (connector.name() == null || connector.name().isBlank()) {
      throw new IllegalArgumentException("send connector: name is blank");
    }
    for (AddressSpace space : connector.addressSpaces()) {
      String domain = space.domain() == null ? "" : space.domain();
      String bare = domain.startsWith("*.") ? domain.substring(2) : domain;
      if (!domain.equals("*") && (bare.isEmpty() || bare.contains("*") || bare.startsWith(".")
          || bare.contains("/") || bare.chars().anyMatch(Character::isWhitespace))) {
        throw new IllegalArgumentException("send connector '" + connector.name() + "': address space '" + domain
            + "' must be '*', '*.domain' or 'domain'");
      }
    }
  }

  /**
   * How specifically {@code addressSpace} matches {@code domain}: -1 for no match, 0 for {@code *}, and
   * for the others twice the matched suffix length, plus one for an exact name so {@code contoso.com}
   * beats {@code *.contoso.com}. {@code *.contoso.com} covers contoso.com and all its subdomains.
   */
  public static int specificity(String addressSpace, String domain) {
    String space = addressSpace.toLowerCase(Locale.ROOT);
    String d = domain.toLowerCase(Locale.ROOT);
    if (space.equals("*")) {
      return 0;
    }
    if (space.startsWith("*.")) {
      String suffix = space.substring(2);
      return d.equals(suffix) || d.endsWith("." + suffix) ? 2 * suffix.length() : -1;
    }
    return d.equals(space) ? 2 * space.length() + 1 : -1;
  }

  /** Selects the connector for a message of {@code messageSize} bytes to {@code domain}. */
  public Selection select(String domain, long messageSize) {
    List<String> reasons = new ArrayList<>();
    List<String> noMatch = new ArrayList<>();
    List<Candidate> candidates = new ArrayList<>();
    for (SendConnector connector : connectors) {
      candidate(connector, domain, messageSize, reasons, noMatch).ifPresent(candidates::add);
    }
    if (!noMatch.isEmpty()) {
      // One line for all of them: with many partner connectors these would drown the real contest.
      reasons.add("no address space matches " + domain + " on connector(s): " + String.join(", ", noMatch));
    }
    if (candidates.isEmpty()) {
      reasons.add(0, "no send connector can carry " + domain + " (" + connectors.size() + " configured)");
      return new Selection(domain, Optional.empty(), reasons);
    }
    int bestSpecificity = candidates.stream().mapToInt(Candidate::specificity).max().orElseThrow();
    Candidate mostSpecific = candidates.stream().filter(c -> c.specificity() == bestSpecificity).findFirst()
        .orElseThrow();
    List<Candidate> remaining = new ArrayList<>();
    for (Candidate c : candidates) {
      if (c.specificity() < bestSpecificity) {
        reasons.add("connector " + c.connector().name() + " lost: address space '" + c.addressSpace().domain()
            + "' is less specific than '" + mostSpecific.addressSpace().domain() + "'");
      } else {
        remaining.add(c);
      }
    }
    Comparator<Candidate> order = Comparator.comparingInt(Candidate::totalCost)
        .thenComparing(Candidate::proximity)
        .thenComparing(c -> c.connector().name(), AlphanumericOrder.NAMES);
    remaining.sort(order);
    Candidate winner = remaining.get(0);
    for (Candidate c : remaining.subList(1, remaining.size())) {
      reasons.add("connector " + c.connector().name() + " lost: " + whyLost(c, winner));
    }
    reasons.add(0, "chosen " + winner.describe());
    return new Selection(domain, Optional.of(winner), reasons);
  }

  private static String whyLost(Candidate loser, Candidate winner) {
    if (loser.totalCost() != winner.totalCost()) {
      return "total cost " + loser.totalCost() + " (path " + loser.path().totalCost() + " + address space "
          + loser.addressSpace().cost() + ") > " + winner.totalCost();
    }
    if (loser.proximity() != winner.proximity()) {
      return "same total cost " + loser.totalCost() + ", its source is in " + where(loser.proximity())
          + " while " + winner.connector().name() + "'s is " + where(winner.proximity());
    }
    return "same total cost and proximity, name sorts after '" + winner.connector().name() + "'";
  }

  private static String where(Proximity proximity) {
    return switch (proximity) {
      case THIS_SERVER -> "this server";
      case THIS_SITE -> "this site";
      case REMOTE_SITE -> "a remote site";
    };
  }

  private Optional<Candidate> candidate(SendConnector connector, String domain, long messageSize,
      List<String> reasons, List<String> noMatch) {
    String name = connector.name();
    AddressSpace best = null;
    int bestSpecificity = -1;
    for (AddressSpace space : connector.addressSpaces()) {
      int s = specificity(space.domain(), domain);
      if (s > bestSpecificity || (s == bestSpecificity && s >= 0 && space.cost() < best.cost())) {
        best = space;
        bestSpecificity = s;
      }
    }
    if (best == null) {
      noMatch.add(name);
      return Optional.empty();
    }
    // Exchange drops connectors too small for the message before it compares address spaces. The
    // organization loader reads "unlimited" as Long.MAX_VALUE, so the limit is always literal.
    if (messageSize > connector.maxMessageSize()) {
      reasons.add("connector " + name + " lost: MaxMessageSize " + connector.maxMessageSize()
          + " bytes is too small for the message");
      return Optional.empty();
    }
    List<String> sources = connector.sourceTransportServers();
    boolean thisServer = sources.isEmpty()
        || sources.stream().anyMatch(s -> s.equalsIgnoreCase(organization.serverName()));
    if (thisServer) {
      return Optional.of(new Candidate(connector, best, bestSpecificity, Path.local(localSite),
          Proximity.THIS_SERVER));
    }
    Path nearest = null;
    List<String> unknown = new ArrayList<>();
    for (String source : sources) {
      Optional<String> site = organization.server(source).map(Server::site).filter(graph::contains);
      if (site.isEmpty()) {
        unknown.add(source);
        continue;
      }
      Optional<Path> path = graph.leastCostPath(localSite, site.get(), messageSize);
      if (path.isPresent() && (nearest == null || Path.preference(path.get().totalCost(), path.get().sites(),
          nearest.totalCost(), nearest.sites()) < 0)) {
        nearest = path.get();
      }
    }
    if (nearest == null) {
      reasons.add("connector " + name + " lost: no site path to any source server " + sources
          + (unknown.isEmpty() ? "" : " (no known site for " + unknown + ")"));
      return Optional.empty();
    }
    return Optional.of(new Candidate(connector, best, bestSpecificity, nearest,
        nearest.isLocal() ? Proximity.THIS_SITE : Proximity.REMOTE_SITE));
  }
}
