package io.mailflow.routing.graph;

import java.util.List;
import java.util.Optional;

/**
 * Path - the least-cost chain of sites from this site to a destination site, and what the message does
 * on it: which site it is handed to next (a hub site, the destination, or a back-off site before a down
 * site) and, when a down site blocks the way, the site where it queues (Exchange's queue at point of
 * failure).
 *
 * @param sites source first, destination last; one element when source and destination are the same
 * @param hops one per link crossed, with its cost
 * @param hubSites hub sites strictly between source and destination, in path order
 * @param relaySite the site this site hands the message to; when nothing ahead is reachable it is the
 *     site the local queue keeps retrying
 * @param queueSite where the message waits because a site ahead is down, or null when it gets through
 * @param failedSite the down site that stops it, or null
 * @param alternatives best paths through the destination's other neighbours, each with why it lost
 */
public record Path(
    List<String> sites,
    List<Hop> hops,
    List<String> hubSites,
    String relaySite,
    String queueSite,
    String failedSite,
    List<Alternative> alternatives) {

  /** One link crossing. */
  public record Hop(String from, String to, String link, int cost) {
    @Override
    public String toString() {
      return " -[" + link + ":" + cost + "]-> " + to;
    }
  }

  /** A path that was not chosen, and why. */
  public record Alternative(List<String> sites, List<Hop> hops, int totalCost, String lostBecause) {
    public Alternative {
      sites = List.copyOf(sites);
      hops = List.copyOf(hops);
    }

    public String render() {
      return Path.render(sites, hops, totalCost);
    }
  }

  public Path {
    sites = List.copyOf(sites);
    hops = List.copyOf(hops);
    hubSites = List.copyOf(hubSites);
    alternatives = List.copyOf(alternatives);
    if (sites.isEmpty() || hops.size() != sites.size() - 1) {
      throw new IllegalArgumentException("path needs one hop per site after the first: " + sites + " " + hops);
    }
  }

  /** The path that stays in one site. */
  public static Path local(String site) {
    return new Path(List.of(site), List.of(), List.of(), site, null, null, List.of());
  }

  public String source() {
    return sites.get(0);
  }

  public String destination() {
    return sites.get(sites.size() - 1);
  }

  public int totalCost() {
    return hops.stream().mapToInt(Hop::cost).sum();
  }

  public boolean isLocal() {
    return sites.size() == 1;
  }

  public Optional<String> queuesAt() {
    return Optional.ofNullable(queueSite);
  }

  /** {@code B -[AB:10]-> A -[AC:10]-> C (cost 20)}; golden files compare this text. */
  public String render() {
    return render(sites, hops, totalCost());
  }

  static String render(List<String> sites, List<Hop> hops, int totalCost) {
    StringBuilder text = new StringBuilder(sites.get(0));
    hops.forEach(text::append);
    return text.append(" (cost ").append(totalCost).append(')').toString();
  }

  /**
   * Exchange's order between two paths from the same source: lower total cost, then fewer hops, then the
   * alphanumerically lower site name, compared from the site before the destination backwards (two
   * equal-cost two-hop paths A-B-D and A-C-D: B wins). Negative when {@code a} is preferred.
   */
  static int preference(int costA, List<String> sitesA, int costB, List<String> sitesB) {
    if (costA != costB) {
      return Integer.compare(costA, costB);
    }
    if (sitesA.size() != sitesB.size()) {
      return Integer.compare(sitesA.size(), sitesB.size());
    }
    for (int i = sitesA.size() - 1; i >= 0; i--) {
      int byName = AlphanumericOrder.NAMES.compare(sitesA.get(i), sitesB.get(i));
      if (byName != 0) {
        return byName;
      }
    }
    return 0;
  }
}
