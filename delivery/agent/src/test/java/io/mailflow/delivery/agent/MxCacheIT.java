package io.mailflow.delivery.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.mailflow.delivery.core.DnsFailure;
import io.mailflow.organization.SendConnector.DnsServer;
import io.mailflow.organization.SendConnector.SmartHost;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * MxResolver's answer cache against a real DNS server ({@link Dnsmasq}; skipped without it): once dnsmasq is
 * stopped, answers it gave with a TTL are still served, NXDOMAIN too (negative caching), while a name never
 * asked times out; with TTL 0 nothing is kept.
 */
class MxCacheIT {

  private static MxResolver.Resolution resolve(Vertx vertx, MxResolver resolver, String domain, DnsServer dns)
      throws Exception {
    return Future.<MxResolver.Resolution>future(p -> vertx.runOnContext(x -> resolver.resolve(domain, dns, 2525)
        .onComplete(p))).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void answersAndNxdomainOutliveTheServerForTheirTtlButNotAnUnaskedName() throws Exception {
    Vertx vertx = Vertx.vertx();
    Dnsmasq dnsmasq = Dnsmasq.startOrSkip("--local-ttl=300",
        "--mx-host=cached.test,mx.cached.test,10", "--host-record=mx.cached.test,127.0.0.1");
    try {
      DnsServer dns = dnsmasq.server();
      MxResolver resolver = new MxResolver(vertx, Duration.ofSeconds(1), Clock.systemUTC(), 100);
      Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
          .until(() -> resolve(vertx, resolver, "cached.test", dns).failure() == null);
      assertEquals(DnsFailure.Kind.NON_EXISTENT_DOMAIN, resolve(vertx, resolver, "gone.test", dns).failure().kind());

      dnsmasq.close();

      MxResolver.Resolution cached = resolve(vertx, resolver, "cached.test", dns);
      assertNull(cached.failure(), "served from the cache");
      assertEquals(List.of(new SmartHost("127.0.0.1", 2525)), cached.targets());
      assertEquals(List.of("mx.cached.test"), cached.mxHosts());
      assertEquals(DnsFailure.Kind.NON_EXISTENT_DOMAIN, resolve(vertx, resolver, "GONE.test", dns).failure().kind(),
          "NXDOMAIN is cached for a short time (names ignore case)");
      assertEquals(DnsFailure.Kind.TIMED_OUT, resolve(vertx, resolver, "other.test", dns).failure().kind(),
          "the server is really gone");
      assertEquals(DnsFailure.Kind.TIMED_OUT, resolve(vertx, resolver, "other.test", dns).failure().kind(),
          "a timeout is not cached: asked again");
    } finally {
      dnsmasq.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void anAnswerWithTtlZeroIsNotKept() throws Exception {
    Vertx vertx = Vertx.vertx();
    Dnsmasq dnsmasq = Dnsmasq.startOrSkip("--local-ttl=0",
        "--mx-host=fresh.test,mx.fresh.test,10", "--host-record=mx.fresh.test,127.0.0.1");
    try {
      DnsServer dns = dnsmasq.server();
      MxResolver resolver = new MxResolver(vertx, Duration.ofSeconds(1), Clock.systemUTC(), 100);
      Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
          .until(() -> resolve(vertx, resolver, "fresh.test", dns).failure() == null);

      dnsmasq.close();

      assertEquals(DnsFailure.Kind.TIMED_OUT, resolve(vertx, resolver, "fresh.test", dns).failure().kind());
    } finally {
      dnsmasq.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
