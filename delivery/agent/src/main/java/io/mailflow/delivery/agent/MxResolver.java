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
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * MxResolver - turns a recipient domain into the addresses to connect to, in MX preference order, with
 * Vert.x's non-blocking DNS client: MX, then A and AAAA of each exchange (IPv4 first), or of the domain
 * itself when it has no MX. We resolve the exchanges ourselves, at the same DNS server, so the SMTP
 * client connects to addresses and one configured server answers every question of a route.
 *
 * <p>One DNS client per server; without a configured server, Vert.x's default, which reads the system
 * resolver from /etc/resolv.conf.
 */
final class MxResolver {

  private final Vertx vertx;
  private final Duration queryTimeout;
  private final Map<String, DnsClient> clients = new HashMap<>();

  MxResolver(Vertx vertx, Duration queryTimeout) {
    this.vertx = vertx;
    this.queryTimeout = queryTimeout;
  }

  /** Where to connect, in order, with the MX host names for the tracking context; or why nowhere. */
  record Resolution(List<SmartHost> targets, List<String> mxHosts, DnsFailure failure) {
    static Resolution failed(DnsFailure failure) {
      return new Resolution(List.of(), List.of(), failure);
    }
  }

  /** Resolves {@code domain}; never fails: DNS errors become a {@link DnsFailure}. */
  Future<Resolution> resolve(String domain, DnsServer server, int port) {
    DnsClient dns = client(server);
    return dns.resolveMX(domain)
        .map(records -> MxRoute.of(domain, records.stream()
            .map(r -> new MxRoute.MxRecord(r.priority(), r.name() == null ? "" : r.name())).toList()))
        .compose(route -> {
          if (route.nullMx()) {
            return Future.succeededFuture(Resolution.failed(new DnsFailure(DnsFailure.Kind.NULL_MX, domain, "")));
          }
          return addresses(dns, route, port, domain);
        }, e -> Future.succeededFuture(Resolution.failed(failure(e, domain))));
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
