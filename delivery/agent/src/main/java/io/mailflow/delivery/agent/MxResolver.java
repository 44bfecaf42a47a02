package io.mailflow.delivery.agent;

import io.mailflow.delivery.core.DnsFailure;
import io.mailflow.delivery.core.MxRoute;
import io.mailflow.organization.SendConnector.DnsServer;
import io.mailflow.organization.SendConnector.SmartHost;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.dns.DnsClient;
import io.vertx.core.dns.DnsClientOptions;
import io.vertx.core.dns.DnsException;
import io.vertx.core.dns.DnsResponseCode;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * MxResolver - turns a recipient domain into the addresses to connect to, in MX preference order, with
 * Vert.x's non-blocking DNS client: MX, then A and AAAA of each exchange (IPv4 first), or of the domain
 * itself when it has no MX. We resolve the exchanges ourselves, at the same DNS server, so the SMTP
 * client connects to addresses and one configured server answers every question of a route.
 *
 * <p>One DNS client per server; without a configured server, Vert.x's default, which reads the system
 * resolver from /etc/resolv.conf.
 *
 * <p>Answers are cached ({@link DnsAnswerCache}, per DNS server, domain and port): a route for the smallest TTL
 * of its MX records, at most {@link #MAX_TTL} (Vert.x does not expose the TTLs of A/AAAA answers, so no route
 * outlives that cap), {@link #UNKNOWN_TTL} for an implicit MX (no MX record, hence no TTL); NXDOMAIN, null MX
 * and a domain without any address for {@link #NEGATIVE_TTL} (RFC 2308 negative caching, without the SOA's
 * minimum, which Vert.x does not expose either). A server failure or timeout is never cached.
 */
final class MxResolver {

  private final Vertx vertx;
  private final Duration queryTimeout;
  private final Map<String, DnsClient> clients = new HashMap<>();
  private final DnsAnswerCache<Resolution> cache;

  /** The longest a resolved route is kept, whatever its MX TTL says. */
  static final Duration MAX_TTL = Duration.ofMinutes(5);
  /** How long a route without MX records (no TTL to go by) is kept. */
  static final Duration UNKNOWN_TTL = Duration.ofMinutes(1);
  /** How long NXDOMAIN, a null MX or a domain without addresses is kept. */
  static final Duration NEGATIVE_TTL = Duration.ofMinutes(5);

  MxResolver(Vertx vertx, Duration queryTimeout) {
    this(vertx, queryTimeout, Clock.systemUTC(), DnsAnswerCache.DEFAULT_MAX_ENTRIES);
  }

  MxResolver(Vertx vertx, Duration queryTimeout, Clock clock, int maxCachedAnswers) {
    this.vertx = vertx;
    this.queryTimeout = queryTimeout;
    this.cache = new DnsAnswerCache<>(clock, maxCachedAnswers);
  }

  /** Where to connect, in order, with the MX host names for the tracking context; or why nowhere. */
  record Resolution(List<SmartHost> targets, List<String> mxHosts, DnsFailure failure) {
    static Resolution failed(DnsFailure failure) {
      return new Resolution(List.of(), List.of(), failure);
    }
  }

  /**
   * Resolves {@code domain}; never fails: DNS errors become a {@link DnsFailure}. Call on the stage's context
   * (the answer cache is confined to it).
   */
  Future<Resolution> resolve(String domain, DnsServer server, int port) {
    String key = (server == null ? "" : server.toString()) + "|" + domain.toLowerCase(Locale.ROOT) + "|" + port;
    Optional<Resolution> cached = cache.get(key);
    if (cached.isPresent()) {
      return Future.succeededFuture(cached.get());
    }
    DnsClient dns = client(server);
    long[] ttl = {-1}; // smallest MX TTL in seconds; -1: none seen
    return dns.resolveMX(domain)
        .map(records -> {
          records.forEach(r -> ttl[0] = ttl[0] < 0 ? r.ttl() : Math.min(ttl[0], r.ttl()));
          return MxRoute.of(domain, records.stream()
              .map(r -> new MxRoute.MxRecord(r.priority(), r.name() == null ? "" : r.name())).toList());
        })
        .compose(route -> {
          if (route.nullMx()) {
            return Future.succeededFuture(Resolution.failed(new DnsFailure(DnsFailure.Kind.NULL_MX, domain, "")));
          }
          return addresses(dns, route, port, domain);
        }, e -> Future.succeededFuture(Resolution.failed(failure(e, domain))))
        .onSuccess(resolution -> cache.put(key, resolution, lifetime(resolution, ttl[0])));
  }

  /** How long {@code resolution} may be cached; zero when it must not be. */
  private static Duration lifetime(Resolution resolution, long mxTtlSeconds) {
    if (resolution.failure() != null) {
      return resolution.failure().permanent() ? NEGATIVE_TTL : Duration.ZERO;
    }
    if (mxTtlSeconds < 0) {
      return UNKNOWN_TTL;
    }
    Duration ttl = Duration.ofSeconds(mxTtlSeconds);
    return ttl.compareTo(MAX_TTL) > 0 ? MAX_TTL : ttl;
  }

  private Future<Resolution> addresses(DnsClient dns, MxRoute route, int port, String domain) {
    List<Future<List<String>>> lookups = new ArrayList<>();
    List<DnsFailure> failures = new ArrayList<>();
    for (String host : route.hosts()) {
      lookups.add(both(dns, host, failures));
    }
    return Future.join(lookups).transform(ignored -> {
      List<SmartHost> targets = new ArrayList<>();
      for (Future<List<String>> lookup : lookups) {
        for (String address : lookup.result()) {
          targets.add(new SmartHost(address, port));
        }
      }
      if (!targets.isEmpty()) {
        return Future.succeededFuture(new Resolution(targets, route.hosts(), null));
      }
      DnsFailure transientOne = failures.stream().filter(f -> !f.permanent()).findFirst().orElse(null);
      if (transientOne != null) {
        return Future.succeededFuture(Resolution.failed(transientOne));
      }
      // every name answered, with no address: for the implicit MX that is the domain's final word;
      // for named exchanges that resolve nowhere, a misconfiguration the domain's owner may fix: retry
      return Future.succeededFuture(Resolution.failed(route.implicit()
          ? new DnsFailure(failures.isEmpty() ? DnsFailure.Kind.NO_ADDRESS : failures.get(0).kind(), domain, "")
          : new DnsFailure(DnsFailure.Kind.SERVER_FAILURE, domain,
              "no address for MX host(s) " + String.join(", ", route.hosts()))));
    });
  }

  /** A then AAAA of one name; a failed lookup adds to {@code failures} and yields no address. */
  private Future<List<String>> both(DnsClient dns, String host, List<DnsFailure> failures) {
    Future<List<String>> a = dns.resolveA(host).recover(e -> {
      failures.add(failure(e, host));
      return Future.succeededFuture(List.of());
    });
    Future<List<String>> aaaa = dns.resolveAAAA(host).recover(e -> Future.succeededFuture(List.of()));
    return Future.join(a, aaaa).map(v -> {
      List<String> all = new ArrayList<>(a.result());
      all.addAll(aaaa.result());
      return all;
    });
  }

  private static DnsFailure failure(Throwable e, String name) {
    if (e instanceof DnsException dns) {
      DnsResponseCode code = dns.code();
      return DnsFailure.fromResponseCode(code == null ? "" : code.name(), name);
    }
    return new DnsFailure(DnsFailure.Kind.TIMED_OUT, name, String.valueOf(e.getMessage()));
  }

  private DnsClient client(DnsServer server) {
    String key = server == null ? "" : server.toString();
    return clients.computeIfAbsent(key, k -> {
      DnsClientOptions options = new DnsClientOptions().setQueryTimeout(queryTimeout.toMillis());
      if (server == null) {
        return vertx.createDnsClient(options);
      }
      return vertx.createDnsClient(options.setHost(server.host()).setPort(server.port()));
    });
  }

  Future<Void> close() {
    List<Future<Void>> closing = new ArrayList<>();
    clients.values().forEach(c -> closing.add(c.close()));
    clients.clear();
    return Future.join(closing).mapEmpty();
  }
}
