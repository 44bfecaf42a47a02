package io.mailflow.routing.graph;

import io.mailflow.organization.Organization;
import io.mailflow.organization.OrganizationException;
import io.mailflow.organization.OrganizationLoader;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * RoutingBenchmark - routing decisions per second on a generated topology (default 200 sites, 2,000
 * site links), memoized and not. A plain harness run by {@code ops/bench/routing.sh}, not a test: it
 * asserts nothing about time.
 *
 * <p>The topology: a ring (so every site is reachable) plus random links between random pairs, costs
 * 1-100, every 20th site a hub, one server and one mailbox database per site (every 4th in a DAG), and
 * connectors for 20 partner domains plus {@code *} with source servers in random sites. Destinations are
 * every database and every connector domain plus unmatched domains (the {@code *} connector), routed
 * from site 0. Fixed seed: every run routes the same topology.
 *
 * <p>Arguments (all optional): sites links seconds-per-figure. Prints one figure line each.
 */
public final class RoutingBenchmark {
  /** Written once per thread so the JIT cannot drop the decisions as unused. */
  static volatile int blackhole;

  private RoutingBenchmark() {}

  public static void main(String[] args) throws Exception {
    int sites = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int links = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
    double seconds = args.length > 2 ? Double.parseDouble(args[2]) : 3;
    Organization org = topology(sites, links, new Random(42));
    List<RoutingDestination> destinations = destinations(sites);

    Router cached = Router.create(org);
    // maxMemoized 0: the memo is emptied before every lookup, so each decision is computed afresh.
    Router uncached = new Router(org, Set.of(), 0);
    measure("uncached", uncached, destinations, seconds, 1);
    measure("cached", cached, destinations, seconds, 1);
    int threads = Runtime.getRuntime().availableProcessors();
    if (threads > 1) {
      measure("cached", cached, destinations, seconds, threads);
    }
  }

  private static void measure(String label, Router router, List<RoutingDestination> destinations, double seconds,
      int threads) throws Exception {
    run(router, destinations, seconds / 3, threads); // warm-up: JIT and (for the cached router) the memo
    long start = System.nanoTime();
    long decisions = run(router, destinations, seconds, threads);
    double elapsed = (System.nanoTime() - start) / 1e9;
    System.out.printf("routing %s, %d thread(s): %,.0f decisions/s (%,d in %.1f s, %d destinations)%n", label,
        threads, decisions / elapsed, decisions, elapsed, destinations.size());
  }

  /** Routes the destinations round-robin on {@code threads} threads for about {@code seconds}; returns the count. */
  private static long run(Router router, List<RoutingDestination> destinations, double seconds, int threads)
      throws Exception {
    long deadline = System.nanoTime() + (long) (seconds * 1e9);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Long>> counts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int offset = t;
        counts.add(pool.submit(() -> {
          long n = 0;
          int sink = 0;
          int i = offset;
          while ((n & 255) != 0 || System.nanoTime() < deadline) {
            RouteDecision decision = router.route(destinations.get(i), 10_240);
            sink += decision.nextHop().hashCode();
            i = (i + 1) % destinations.size();
            n++;
          }
          blackhole = sink;
          return n;
        }));
      }
      long total = 0;
      for (Future<Long> count : counts) {
        total += count.get();
      }
      return total;
    } finally {
      pool.shutdown();
      pool.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  static List<RoutingDestination> destinations(int sites) {
    List<RoutingDestination> destinations = new ArrayList<>();
    for (int s = 0; s < sites; s++) {
      destinations.add(RoutingDestination.database("DB" + s));
    }
    for (int p = 0; p < 20; p++) {
      destinations.add(RoutingDestination.externalDomain("partner" + p + ".test"));
      destinations.add(RoutingDestination.externalDomain("mail.partner" + p + ".test"));
      destinations.add(RoutingDestination.externalDomain("elsewhere" + p + ".example"));
    }
    return destinations;
  }

  /** The topology as organization YAML, loaded by the real loader (so it is also validated). */
  static Organization topology(int sites, int links, Random random) throws OrganizationException {
    StringBuilder yaml = new StringBuilder("serverName: EX0\nsiteName: S0\nacceptedDomains: [contoso.test]\n");
    yaml.append("sites:\n");
    for (int s = 0; s < sites; s++) {
      yaml.append("  - {name: S").append(s).append(s % 20 == 10 ? ", hubSite: true" : "").append("}\n");
    }
    yaml.append("siteLinks:\n");
    Set<String> pairs = new HashSet<>();
    int made = 0;
    for (int s = 0; s < sites && made < links; s++, made++) {
      int next = (s + 1) % sites;
      pairs.add(Math.min(s, next) + "-" + Math.max(s, next));
      link(yaml, s, next, 1 + random.nextInt(100));
    }
    while (made < links) {
      int a = random.nextInt(sites);
      int b = random.nextInt(sites);
      if (a != b && pairs.add(Math.min(a, b) + "-" + Math.max(a, b))) {
        link(yaml, a, b, 1 + random.nextInt(100));
        made++;
      }
    }
    yaml.append("servers:\n");
    for (int s = 0; s < sites; s++) {
      yaml.append("  - {name: EX").append(s).append(", site: S").append(s).append("}\n");
    }
    yaml.append("databases:\n");
    for (int s = 0; s < sites; s++) {
      yaml.append("  - {name: DB").append(s).append(", copies: [EX").append(s).append("]")
          .append(s % 4 == 0 ? ", dag: DAG" + (s / 40) : "").append("}\n");
    }
    yaml.append("sendConnectors:\n  - {name: Internet, addressSpaces: [\"*\"], sourceTransportServers: [EX")
        .append(random.nextInt(sites)).append(", EX").append(random.nextInt(sites)).append("]}\n");
    for (int p = 0; p < 20; p++) {
      yaml.append("  - {name: Partner").append(p).append(", addressSpaces: [\"partner").append(p)
          .append(".test;").append(1 + random.nextInt(10)).append("\", \"*.partner").append(p)
          .append(".test\"], smartHosts: [\"relay").append(p).append(".partner.test\"], sourceTransportServers: [EX")
          .append(random.nextInt(sites)).append(", EX").append(random.nextInt(sites)).append("]}\n");
    }
    return OrganizationLoader.parse(yaml.toString(), "generated-" + sites + "-sites.yaml");
  }

  private static void link(StringBuilder yaml, int a, int b, int cost) {
    yaml.append("  - {name: L").append(a).append('-').append(b).append(", sites: [S").append(a).append(", S")
        .append(b).append("], cost: ").append(cost).append("}\n");
  }
}
