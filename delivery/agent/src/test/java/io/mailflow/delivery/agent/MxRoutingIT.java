package io.mailflow.delivery.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.delivery.agent.smtp.OutboundMessage;
import io.mailflow.delivery.agent.smtp.ScriptedSmtpServer;
import io.mailflow.delivery.agent.smtp.SmtpClientOptions;
import io.mailflow.delivery.core.DeliveryOutcome;
import io.mailflow.delivery.core.DnsFailure;
import io.mailflow.organization.SendConnector.DnsServer;
import io.mailflow.organization.SendConnector.SmartHost;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.DatagramSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * MX routing against a real DNS server ({@link Dnsmasq}; skipped without it). The SMTP server listens on
 * 127.0.0.1 only, so an MX host at 127.0.0.2 on the same port is down.
 */
class MxRoutingIT {

  private static Vertx vertx;
  private static Dnsmasq dnsmasq;
  private static DnsServer dns;
  private static ScriptedSmtpServer smtp;
  private static MxResolver resolver;

  @BeforeAll
  static void start() throws Exception {
    dnsmasq = Dnsmasq.startOrSkip(
        // preferred MX down (127.0.0.2), second one up (127.0.0.1)
        "--mx-host=fallback.test,mx1.fallback.test,10", "--mx-host=fallback.test,mx2.fallback.test,20",
        "--host-record=mx1.fallback.test,127.0.0.2", "--host-record=mx2.fallback.test,127.0.0.1",
        "--host-record=implicit.test,127.0.0.1",
        "--mx-host=nullmx.test,.,0", "--host-record=nullmx.test,127.0.0.1");
    dns = dnsmasq.server();
    vertx = Vertx.vertx();
    smtp = ScriptedSmtpServer.start(vertx, new ScriptedSmtpServer.Script());
    // dnsmasq answers once it is up; each probe asks afresh (a resolver caches negative answers for 5 min)
    Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
      resolver = new MxResolver(vertx, Duration.ofSeconds(2));
      return resolve("implicit.test").failure() == null;
    });
    resolver = new MxResolver(vertx, Duration.ofSeconds(2));
  }

  @AfterAll
  static void stop() throws Exception {
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    if (dnsmasq != null) {
      dnsmasq.close();
    }
  }

  private static MxResolver.Resolution resolve(String domain) throws Exception {
    return Future.<MxResolver.Resolution>future(p -> vertx.runOnContext(x -> resolver.resolve(domain, dns,
        smtp.port()).onComplete(p))).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void whenThePreferredMxIsDownTheMessageGoesToTheNextOne() throws Exception {
    MxResolver.Resolution r = resolve("fallback.test");
    assertNull(r.failure());
    assertEquals(List.of("mx1.fallback.test", "mx2.fallback.test"), r.mxHosts());
    assertEquals(List.of(new SmartHost("127.0.0.2", smtp.port()), new SmartHost("127.0.0.1", smtp.port())),
        r.targets());

    SmartHostRelay relay = new SmartHostRelay(vertx, new SmtpClientOptions().setHeloName("ex01.contoso.test"),
        new DestinationLimiter(20));
    OutboundMessage message = OutboundMessage.of("alice@contoso.test", List.of("bob@fallback.test"),
        "Subject: hi\r\n\r\nvia MX\r\n".getBytes(StandardCharsets.US_ASCII));
    SmartHostRelay.Relayed relayed = Future.<SmartHostRelay.Relayed>future(p -> vertx.runOnContext(v ->
        relay.relay(r.targets(), "ex01.contoso.test", message).onComplete(p)))
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertEquals(2, relayed.endpointsTried().size(), relayed.endpointsTried().toString());
    assertInstanceOf(DeliveryOutcome.Delivered.class, relayed.result().outcomes().get(0));
    assertEquals(1, smtp.messages.size());
  }

  @Test
  void aDomainWithoutMxIsReachedAtItsOwnAddress() throws Exception {
    MxResolver.Resolution r = resolve("implicit.test");
    assertNull(r.failure());
    assertEquals(List.of("implicit.test"), r.mxHosts());
    assertEquals(List.of(new SmartHost("127.0.0.1", smtp.port())), r.targets());
  }

  @Test
  void aNullMxFailsForGoodWith544() throws Exception {
    MxResolver.Resolution r = resolve("nullmx.test");
    assertEquals(DnsFailure.Kind.NULL_MX, r.failure().kind(), String.valueOf(r.failure()));
    assertTrue(r.failure().permanent());
    assertEquals("5.4.4", r.failure().reply().enhancedStatus());
    assertTrue(r.targets().isEmpty());
  }

  @Test
  void aNonExistentDomainFailsForGoodWith544() throws Exception {
    MxResolver.Resolution r = resolve("nowhere.test");
    assertEquals(DnsFailure.Kind.NON_EXISTENT_DOMAIN, r.failure().kind(), String.valueOf(r.failure()));
    assertEquals("550 5.4.4", r.failure().reply().toString().substring(0, 9));
  }

  @Test
  void aDnsServerThatDoesNotAnswerIsTransient() throws Exception {
    int silent;
    try (DatagramSocket probe = new DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
      silent = probe.getLocalPort();
    }
    MxResolver.Resolution r = Future.<MxResolver.Resolution>future(p -> vertx.runOnContext(v ->
        resolver.resolve("fallback.test", new DnsServer("127.0.0.1", silent), 2525).onComplete(p)))
        .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    assertFalse(r.failure().permanent(), String.valueOf(r.failure()));
    assertEquals(451, r.failure().reply().code());
  }
}
