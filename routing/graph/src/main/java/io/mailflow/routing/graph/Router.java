package io.mailflow.routing.graph;

import io.mailflow.organization.MailboxDatabase;
import io.mailflow.organization.Organization;
import io.mailflow.organization.SendConnector;
import io.mailflow.organization.Server;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

/**
 * Router - stamps a next-hop key on each recipient's copy: the entry point the routing stage calls.
 *
 * <p>A mailbox database routes to its active copy's server: this node or this site delivers to the
 * store; another site is relayed to (the DAG, or the site) along the {@link SiteGraph}. An external
 * domain routes through the {@link ConnectorSelector}'s connector: delivered by DNS or smart hosts when
 * this server is a source server, else relayed to the connector's source servers.
 *
 * <p>One Router per topology: immutable apart from its memo of decisions, keyed by (topology version,
 * destination, size class), so routing a message is a map lookup. A changed organization or a changed
 * set of down sites means a new Router. Thread-safe.
 */
public final class Router {

  /**
   * Memo entries before the memo is emptied: recipient domains come from senders, so without a bound
   * a stream of made-up domains would grow memory forever. Emptying costs only recomputation.
   */
  static final int MAX_CACHED_ROUTES = 100_000;

  private final Organization organization;
  private final SiteGraph graph;
  private final ConnectorSelector connectors;
  private final SizeClasses sizeClasses;
  private final String localSite;
  private final String version;
  private final int maxMemoized;
  private final ConcurrentHashMap<CacheKey, RouteDecision> memo = new ConcurrentHashMap<>();
  /** Decisions computed rather than found in the memo (a route-cache miss each). */
  private final LongAdder computed = new LongAdder();

  private record CacheKey(String topologyVersion, RoutingDestination destination, int sizeClass) {}

  Router(Organization organization, Collection<String> downSites, int maxMemoized) {
    this.organization = organization;
    this.maxMemoized = maxMemoized;
    this.graph = SiteGraph.of(organization, downSites);
    if (!graph.contains(organization.siteName())) {
      throw new IllegalArgumentException("organization siteName '" + organization.siteName()
          + "' is not one of its sites " + organization.sites().stream().map(s -> s.name()).toList());
    }
    this.localSite = graph.canonicalName(organization.siteName());
    this.connectors = new ConnectorSelector(organization, graph);
    List<Long> limits = new ArrayList<>(graph.linkSizeLimits());
    organization.sendConnectors().forEach(c -> limits.add(c.maxMessageSize()));
    this.sizeClasses = new SizeClasses(limits);
    this.version = TopologyVersion.of(organization, downSites);
  }

  /** A router for an organization whose sites are all up. */
  public static Router create(Organization organization) {
    return new Router(organization, Set.of(), MAX_CACHED_ROUTES);
  }

  /**
   * @param downSites sites that cannot receive mail now; messages queue at the point of failure
   * @throws IllegalArgumentException when the topology is inconsistent (see {@link SiteGraph#of}), this
   *     node's site is not a site, or a send connector's address space is malformed
   */
  public static Router create(Organization organization, Collection<String> downSites) {
    return new Router(organization, downSites, MAX_CACHED_ROUTES);
  }

  public String topologyVersion() {
    return version;
  }

  public Organization organization() {
    return organization;
  }

  public SiteGraph siteGraph() {
    return graph;
  }

  /**
   * The next hop for one recipient's copy of a message of {@code messageSize} bytes. Never throws for
   * a destination the organization does not know: that routes to Unreachable with the reason.
   *
   * @throws IllegalArgumentException when messageSize is negative
   */
  public RouteDecision route(RoutingDestination destination, long messageSize) {
    if (destination == null) {
      throw new IllegalArgumentException("route: destination is null");
    }
    if (messageSize < 0) {
      throw new IllegalArgumentException("route " + destination.describe() + ": message size " + messageSize
          + " is negative");
    }
    int sizeClass = sizeClasses.classOf(messageSize);
    if (memo.size() >= maxMemoized) {
      memo.clear();
    }
    return memo.computeIfAbsent(new CacheKey(version, destination, sizeClass), key -> {
      computed.increment();
      return compute(key);
    });
  }

  /** How many decisions this router has computed (memo misses) since it was created; the rest were memo hits. */
  public long computedRoutes() {
    return computed.sum();
  }

  /** Decisions currently memoized; for tests and metrics. */
  int memoizedRoutes() {
    return memo.size();
  }

  private RouteDecision compute(CacheKey key) {
    long size = sizeClasses.lowerBound(key.sizeClass());
    Explanation why = new Explanation(key.destination());
    why.line("from: server " + organization.serverName() + " in site " + localSite
        + "; message size class " + sizeClasses.describe(key.sizeClass()));
    if (!graph.downSites().isEmpty()) {
      why.line("down sites: " + String.join(", ", graph.downSites().stream().sorted(AlphanumericOrder.NAMES)
          .map(s -> configuredDown(s) ? s + " (configured down)" : s).toList()));
    }
    if (key.destination() instanceof RoutingDestination.Database database) {
      return toDatabase(database, size, why);
    }
    return toDomain((RoutingDestination.ExternalDomain) key.destination(), size, why);
  }

  private boolean configuredDown(String site) {
    return organization.sites().stream().anyMatch(s -> s.down() && s.name().equalsIgnoreCase(site));
  }

  private RouteDecision toDatabase(RoutingDestination.Database destination, long size, Explanation why) {
    Optional<MailboxDatabase> found = organization.database(destination.name());
    if (found.isEmpty()) {
      return why.unreachable("mailbox database " + destination.name() + " is not in the organization");
    }
    MailboxDatabase database = found.get();
    Optional<Server> server = organization.server(database.activeServer());
    if (server.isEmpty() || !graph.contains(server.get().site())) {
      return why.unreachable("active copy server " + database.activeServer() + " of " + database.name()
          + (server.isEmpty() ? " is not a known server" : " is in unknown site " + server.get().site()));
    }
    String site = graph.canonicalName(server.get().site());
    why.line("destination: mailbox database " + database.name() + ", active copy on " + server.get().name()
        + " in site " + site + (database.dag() == null ? "" : ", DAG " + database.dag()));
    boolean thisNode = server.get().name().equalsIgnoreCase(organization.serverName());
    if (thisNode || site.equals(localSite)) {
      why.line("active copy is " + (thisNode ? "on this server" : "in this site") + ": deliver to the mailbox");
      return why.decide(NextHopKey.of(DeliveryType.SmtpDeliveryToMailbox, database.name()), Path.local(site));
    }
    Optional<Path> path = graph.leastCostPath(localSite, site, size);
    if (path.isEmpty()) {
      return why.unreachable("no site path from " + localSite + " to " + site + " for this message size");
    }
    NextHopKey atDestination = database.dag() != null
        ? NextHopKey.of(DeliveryType.SmtpRelayToDag, database.dag())
        : NextHopKey.of(DeliveryType.SmtpRelayToRemoteAdSite, site);
    return why.alongPath(path.get(), atDestination);
  }

  private RouteDecision toDomain(RoutingDestination.ExternalDomain destination, long size, Explanation why) {
    ConnectorSelector.Selection selection = connectors.select(destination.domain(), size);
    selection.reasons().forEach(why::line);
    if (selection.chosen().isEmpty()) {
      return why.unreachable("no send connector for " + destination.domain());
    }
    ConnectorSelector.Candidate chosen = selection.chosen().get();
    SendConnector connector = chosen.connector();
    NextHopKey toSources = NextHopKey.of(DeliveryType.SmtpRelayToConnectorSourceServers, connector.name(),
        connector.name());
    return switch (chosen.proximity()) {
      case THIS_SERVER -> why.decide(connector.usesSmartHosts()
          ? NextHopKey.of(DeliveryType.SmartHostConnectorDelivery, smartHosts(connector), connector.name())
          : NextHopKey.of(DeliveryType.DnsConnectorDelivery, destination.domain(), connector.name()),
          chosen.path());
      case THIS_SITE -> why.decide(toSources, chosen.path());
      case REMOTE_SITE -> why.alongPath(chosen.path(), toSources);
    };
  }

  /** Exchange shows a smart-host queue's NextHopDomain as the smart hosts joined by ';'. */
  private static String smartHosts(SendConnector connector) {
    return connector.smartHosts().stream()
        .map(h -> h.host() + ":" + (h.port() > 0 ? h.port() : connector.port()))
        .collect(Collectors.joining(";"));
  }

  /** Collects the explanation while a decision is computed, and builds the decision. */
  private final class Explanation {
    private final RoutingDestination destination;
    private final List<String> lines = new ArrayList<>();

    Explanation(RoutingDestination destination) {
      this.destination = destination;
      lines.add("route: " + destination.describe() + " (topology " + version + ")");
    }

    void line(String text) {
      lines.add(text);
    }

    RouteDecision unreachable(String reason) {
      lines.add("unreachable: " + reason);
      return finish(NextHopKey.unreachable(), null);
    }

    RouteDecision decide(NextHopKey key, Path path) {
      return finish(key, path);
    }

    /** Relays toward a remote site: to the first hub or back-off site, else to the final key. */
    RouteDecision alongPath(Path path, NextHopKey atDestination) {
      lines.add("path: " + path.render());
      for (Path.Alternative alternative : path.alternatives()) {
        lines.add("alternative: " + alternative.render() + " lost: " + alternative.lostBecause());
      }
      if (!path.hubSites().isEmpty()) {
        lines.add("hub sites on path: " + String.join(", ", path.hubSites()));
      }
      if (path.failedSite() != null) {
        lines.add("site " + path.failedSite() + " is down: the message queues in " + path.queueSite()
            + " (point of failure)");
      }
      boolean toDestination = path.relaySite().equals(path.destination());
      if (!toDestination) {
        lines.add("relay to site " + path.relaySite() + " first"
            + (path.hubSites().contains(path.relaySite()) ? " (hub site)" : " (closest reachable site)"));
      }
      return finish(toDestination ? atDestination : NextHopKey.of(DeliveryType.SmtpRelayToRemoteAdSite,
          path.relaySite()), path);
    }

    private RouteDecision finish(NextHopKey key, Path path) {
      lines.add("next hop: " + key.asRecordKey());
      return new RouteDecision(destination, key, Optional.ofNullable(path), lines, version);
    }
  }
}
