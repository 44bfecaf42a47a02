package io.mailflow.routing.graph;

import io.mailflow.organization.Organization;
import io.mailflow.organization.Site;
import io.mailflow.organization.SiteLink;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * SiteGraph - Active Directory sites joined by IP site links, and the least-cost path between two of
 * them the way Exchange computes it: lowest sum of link costs, then fewest hops, then alphanumerically
 * lower site names (from the destination backwards).
 *
 * <p>Availability never changes the path (Exchange does not route around failures); sites marked down
 * only decide where the message waits: it goes as far along the path as it can and queues at the
 * closest reachable site before the failure. Hub sites on the path are relayed through; other sites are
 * passed over by direct relay. Immutable; safe to share between threads.
 */
public final class SiteGraph {

  /** Exchange's range for an IP site link cost. */
  public static final int MIN_LINK_COST = 1;
  public static final int MAX_LINK_COST = 99_999;

  private static final int MAX_ALTERNATIVES = 5;

  private final List<Site> sites;
  private final Map<String, Integer> indexByName;
  private final List<List<Edge>> edges;
  private final boolean[] down;
  private final Set<String> downSites;
  private final Set<Long> linkSizeLimits;

  /** One direction of a site link between two sites. */
  private record Edge(int to, String link, int cost, long maxMessageSize) {
    boolean carries(long messageSize) {
      return maxMessageSize <= 0 || messageSize <= maxMessageSize;
    }
  }

  /** The best path found so far to a site during the search. */
  private record Label(int cost, List<String> sites, List<Path.Hop> hops) {
    Label extend(String from, String to, Edge edge) {
      List<String> longer = new ArrayList<>(sites);
      longer.add(to);
      List<Path.Hop> moreHops = new ArrayList<>(hops);
      moreHops.add(new Path.Hop(from, to, edge.link(), edge.cost()));
      return new Label(cost + edge.cost(), longer, moreHops);
    }

    int compareTo(Label other) {
      return Path.preference(cost, sites, other.cost, other.sites);
    }
  }

  private SiteGraph(List<Site> sites, List<SiteLink> links, Collection<String> downSiteNames) {
    this.sites = List.copyOf(sites);
    this.indexByName = new HashMap<>();
    for (int i = 0; i < this.sites.size(); i++) {
      Site site = this.sites.get(i);
      if (site == null || site.name() == null || site.name().isBlank()) {
        throw new IllegalArgumentException("sites[" + i + "]: site name is blank");
      }
      if (indexByName.putIfAbsent(key(site.name()), i) != null) {
        throw new IllegalArgumentException("sites[" + i + "]: duplicate site '" + site.name() + "'");
      }
    }
    this.edges = new ArrayList<>();
    this.sites.forEach(s -> edges.add(new ArrayList<>()));
    Set<Long> limits = new TreeSet<>();
    for (SiteLink link : links) {
      addLink(link);
      if (link.maxMessageSize() > 0) {
        limits.add(link.maxMessageSize());
      }
    }
    // Parallel links: the cheaper first, then by name, so equal choices resolve the same way every time.
    Comparator<Edge> order = Comparator.comparingInt(Edge::cost).thenComparing(Edge::link, AlphanumericOrder.NAMES);
    edges.forEach(list -> list.sort(order));
    this.linkSizeLimits = Set.copyOf(limits);
    this.down = new boolean[this.sites.size()];
    Set<String> downNames = new LinkedHashSet<>();
    Set<String> configuredDown = new LinkedHashSet<>();
    for (Site site : sites) {
      if (site.down()) {
        configuredDown.add(site.name()); // sites[].down: the config's own down sites join the caller's
      }
    }
    for (String name : concat(configuredDown, downSiteNames)) {
      Integer i = indexByName.get(key(name));
      if (i == null) {
        throw new IllegalArgumentException("down site '" + name + "' is not a site of the organization; sites are "
            + siteNames());
      }
      down[i] = true;
      downNames.add(this.sites.get(i).name());
    }
    this.downSites = Set.copyOf(downNames);
  }

  private static List<String> concat(Collection<String> a, Collection<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  /** A graph where only the sites configured {@code down} are down. */
  public static SiteGraph of(List<Site> sites, List<SiteLink> links) {
    return new SiteGraph(sites, links, Set.of());
  }

  /**
   * @param downSites sites that cannot receive mail now (names matched case-insensitively); each must
   *     be one of {@code sites}. Sites configured {@code down} are down as well.
   * @throws IllegalArgumentException naming the site or link at fault: duplicate or blank site names,
   *     links with fewer than two sites, unknown sites or a cost outside 1-99,999
   */
  public static SiteGraph of(List<Site> sites, List<SiteLink> links, Collection<String> downSites) {
    return new SiteGraph(sites, links, downSites);
  }

  public static SiteGraph of(Organization organization, Collection<String> downSites) {
    return new SiteGraph(organization.sites(), organization.siteLinks(), downSites);
  }

  private void addLink(SiteLink link) {
    String name = link.name() == null || link.name().isBlank() ? "(unnamed)" : link.name();
    if (link.cost() < MIN_LINK_COST || link.cost() > MAX_LINK_COST) {
      throw new IllegalArgumentException("site link '" + name + "': cost " + link.cost() + " is outside "
          + MIN_LINK_COST + "-" + MAX_LINK_COST);
    }
    List<Integer> members = new ArrayList<>();
    for (String site : link.sites()) {
      Integer i = indexByName.get(key(site));
      if (i == null) {
        throw new IllegalArgumentException("site link '" + name + "' names unknown site '" + site
            + "'; sites are " + siteNames());
      }
      if (!members.contains(i)) {
        members.add(i);
      }
    }
    if (members.size() < 2) {
      throw new IllegalArgumentException("site link '" + name + "' joins " + members.size()
          + " distinct site(s); a link needs at least 2");
    }
    // A link with more than two sites joins every pair of them at the link's cost.
    for (int a : members) {
      for (int b : members) {
        if (a != b) {
          edges.get(a).add(new Edge(b, name, link.cost(), link.maxMessageSize()));
        }
      }
    }
  }

  public boolean contains(String site) {
    return site != null && indexByName.containsKey(key(site));
  }

  /** The site's name as the organization spells it. */
  public String canonicalName(String site) {
    return sites.get(index(site)).name();
  }

  public boolean isHub(String site) {
    return sites.get(index(site)).hubSite();
  }

  public boolean isDown(String site) {
    return down[index(site)];
  }

  public Set<String> downSites() {
    return downSites;
  }

  /** Distinct non-zero link size limits: a message's route can only change when its size crosses one. */
  public Set<Long> linkSizeLimits() {
    return linkSizeLimits;
  }

  /**
   * The least-cost path from {@code from} to {@code to} over links that carry {@code messageSize}
   * bytes, or empty when no such path exists.
   *
   * @throws IllegalArgumentException when either site is not in the graph
   */
  public Optional<Path> leastCostPath(String from, String to, long messageSize) {
    int source = index(from);
    int target = index(to);
    if (source == target) {
      return Optional.of(Path.local(sites.get(source).name()));
    }
    Label[] best = search(source, messageSize);
    if (best[target] == null) {
      return Optional.empty();
    }
    Label chosen = best[target];
    return Optional.of(relay(chosen, alternatives(best, target, chosen, messageSize)));
  }

  /** Dijkstra over (cost, hops, names): the order is kept by extension, so the search stays exact. */
  private Label[] search(int source, long messageSize) {
    int n = sites.size();
    Label[] best = new Label[n];
    boolean[] settled = new boolean[n];
    best[source] = new Label(0, List.of(sites.get(source).name()), List.of());
    while (true) {
      int next = -1;
      for (int i = 0; i < n; i++) {
        if (!settled[i] && best[i] != null && (next < 0 || best[i].compareTo(best[next]) < 0)) {
          next = i;
        }
      }
      if (next < 0) {
        return best;
      }
      settled[next] = true;
      for (Edge edge : edges.get(next)) {
        if (settled[edge.to()] || !edge.carries(messageSize)) {
          continue;
        }
        Label candidate = best[next].extend(sites.get(next).name(), sites.get(edge.to()).name(), edge);
        if (best[edge.to()] == null || candidate.compareTo(best[edge.to()]) < 0) {
          best[edge.to()] = candidate;
        }
      }
    }
  }

  /** The best path through each other link into the target, so an explanation can say why it lost. */
  private List<Path.Alternative> alternatives(Label[] best, int target, Label chosen, long messageSize) {
    String targetName = sites.get(target).name();
    Map<Integer, Label> byNeighbour = new HashMap<>();
    for (Edge edge : edges.get(target)) {
      Label viaNeighbour = best[edge.to()];
      if (viaNeighbour == null || viaNeighbour.sites().contains(targetName) || !edge.carries(messageSize)) {
        continue;
      }
      Label candidate = viaNeighbour.extend(sites.get(edge.to()).name(), targetName, edge);
      if (candidate.hops().equals(chosen.hops())) {
        continue;
      }
      byNeighbour.merge(edge.to(), candidate, (a, b) -> a.compareTo(b) <= 0 ? a : b);
    }
    return byNeighbour.values().stream()
        .sorted(Label::compareTo)
        .limit(MAX_ALTERNATIVES)
        .map(alt -> new Path.Alternative(alt.sites(), alt.hops(), alt.cost(), whyLost(alt, chosen)))
        .toList();
  }

  private static String whyLost(Label alt, Label chosen) {
    if (alt.cost() != chosen.cost()) {
      return "higher cost " + alt.cost() + " > " + chosen.cost();
    }
    if (alt.sites().size() != chosen.sites().size()) {
      return "same cost " + alt.cost() + ", more hops " + (alt.sites().size() - 1) + " > "
          + (chosen.sites().size() - 1);
    }
    for (int i = alt.sites().size() - 1; i >= 0; i--) {
      String a = alt.sites().get(i);
      String c = chosen.sites().get(i);
      if (AlphanumericOrder.NAMES.compare(a, c) != 0) {
        return "same cost and hops, site '" + a + "' sorts after '" + c + "'";
      }
    }
    // Same sites, another parallel link of equal cost: the link name decided.
    return "same cost and sites, link name sorts later";
  }

  /**
   * Walks the chosen path the way the message travels: from relay point to relay point (hub sites, then
   * the destination); when the next relay point is down it backs off to the closest up site before it
   * and queues there.
   */
  private Path relay(Label chosen, List<Path.Alternative> alternatives) {
    List<String> path = chosen.sites();
    int last = path.size() - 1;
    List<String> hubs = new ArrayList<>();
    List<Integer> relayPoints = new ArrayList<>();
    for (int i = 1; i <= last; i++) {
      boolean hub = i < last && isHub(path.get(i));
      if (hub) {
        hubs.add(path.get(i));
      }
      if (hub || i == last) {
        relayPoints.add(i);
      }
    }
    int position = 0;
    Integer firstMove = null;
    String queueSite = null;
    String failedSite = null;
    for (int point : relayPoints) {
      if (!isDown(path.get(point))) {
        position = point;
        firstMove = firstMove == null ? point : firstMove;
        continue;
      }
      failedSite = path.get(point);
      for (int back = point - 1; back > position; back--) {
        if (!isDown(path.get(back))) {
          position = back;
          firstMove = firstMove == null ? back : firstMove;
          break;
        }
      }
      queueSite = path.get(position);
      break;
    }
    // Nothing ahead reachable: the message stays in this site's queue for the first relay point.
    String relaySite = path.get(firstMove != null ? firstMove : relayPoints.get(0));
    return new Path(path, chosen.hops(), hubs, relaySite, queueSite, failedSite, alternatives);
  }

  private int index(String site) {
    Integer i = site == null ? null : indexByName.get(key(site));
    if (i == null) {
      throw new IllegalArgumentException("unknown site '" + site + "'; sites are " + siteNames());
    }
    return i;
  }

  private List<String> siteNames() {
    return sites.stream().map(Site::name).toList();
  }

  private static String key(String name) {
    return name.toLowerCase(Locale.ROOT);
  }
}
