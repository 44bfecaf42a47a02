package io.mailflow.organization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.mailflow.organization.Server.SmtpEndpoint;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServerEndpointTest {
  private static final String HEAD = "serverName: EX01\nacceptedDomains: [contoso.test]\n";

  @Test
  void serverWithoutSmtpIsReachedByItsNameOnPort25() throws Exception {
    Organization org = OrganizationLoader.parse(HEAD + "servers: [{name: EX01}, {name: EX02}]\n", "t.yaml");
    assertEquals(new SmtpEndpoint("EX02", 25), org.server("EX02").orElseThrow().smtp());
    assertEquals(new SmtpEndpoint("EX01", 25), OrganizationLoader.parse(HEAD, "t.yaml").servers().get(0).smtp(),
        "the implied server too");
  }

  @Test
  void smtpTakesHostPortBracketedIpv6AndMappingForms() throws Exception {
    Organization org = OrganizationLoader.parse(HEAD + "servers:\n"
        + "  - {name: EX01, smtp: \"127.0.0.1:2626\"}\n"
        + "  - {name: EX02, smtp: ex02.contoso.test}\n"
        + "  - {name: EX03, smtp: \"[::1]:2727\"}\n"
        + "  - {name: EX04, smtp: {host: 192.0.2.4, port: 2828}}\n", "t.yaml");
    assertEquals(List.of(new SmtpEndpoint("127.0.0.1", 2626), new SmtpEndpoint("ex02.contoso.test", 25),
        new SmtpEndpoint("::1", 2727), new SmtpEndpoint("192.0.2.4", 2828)),
        org.servers().stream().map(Server::smtp).toList());
    assertEquals("[::1]:2727", org.servers().get(2).smtp().toString());
  }

  @Test
  void badSmtpEndpointsAreReportedWithTheirPath() {
    assertEquals(List.of("servers[1].smtp: port 70000 out of range (1-65535)",
        "servers[2].smtp: 'bad_host!' is not a host name or IP address",
        "servers[3].smtp: port 'x' is not a number",
        "servers[4].smtp: unknown key 'prot' (did you mean 'port'?); allowed keys: host, port"),
        errorsOf(HEAD + "servers:\n  - {name: EX01}\n"
            + "  - {name: EX02, smtp: \"127.0.0.1:70000\"}\n"
            + "  - {name: EX03, smtp: \"bad_host!\"}\n"
            + "  - {name: EX04, smtp: \"ex04:x\"}\n"
            + "  - {name: EX05, smtp: {host: ex05, prot: 26}}\n"));
  }

  @Test
  void trackingBootstrapDefaultsToNullAndTakesKafkaBootstrapLists() throws Exception {
    Organization org = OrganizationLoader.parse(HEAD + "servers:\n"
        + "  - {name: EX01}\n"
        + "  - {name: EX02, trackingBootstrap: \"127.0.0.1:19093\"}\n"
        + "  - {name: EX03, smtp: \"127.0.0.1:2627\", trackingBootstrap: \"kafka1:9092, kafka2:9092\"}\n", "t.yaml");
    assertEquals(java.util.Arrays.asList(null, "127.0.0.1:19093", "kafka1:9092,kafka2:9092"),
        org.servers().stream().map(Server::trackingBootstrap).toList());
    assertEquals(new SmtpEndpoint("127.0.0.1", 2627), org.servers().get(2).smtp());
  }

  @Test
  void malformedTrackingBootstrapIsAConfigErrorNamingTheKey() {
    assertEquals(List.of("servers[0].trackingBootstrap: '127.0.0.1' is not a list of host:port (Kafka bootstrap "
        + "servers, e.g. 127.0.0.1:19093 or kafka1:9092,kafka2:9092): '127.0.0.1'",
        "servers[1].trackingBootstrap: 'k1:9092,' is not a list of host:port (Kafka bootstrap servers, e.g. "
        + "127.0.0.1:19093 or kafka1:9092,kafka2:9092): ''",
        "servers[2].trackingBootstrap: 'bad_host!:9092' is not a list of host:port (Kafka bootstrap servers, e.g. "
        + "127.0.0.1:19093 or kafka1:9092,kafka2:9092): 'bad_host!:9092'"),
        errorsOf(HEAD + "servers:\n  - {name: EX01, trackingBootstrap: \"127.0.0.1\"}\n"
            + "  - {name: EX02, trackingBootstrap: \"k1:9092,\"}\n"
            + "  - {name: EX03, trackingBootstrap: \"bad_host!:9092\"}\n"));
  }

  private static List<String> errorsOf(String yaml) {
    try {
      Organization org = OrganizationLoader.parse(yaml, "t.yaml");
      fail("loaded without errors: " + org);
      return List.of();
    } catch (OrganizationException e) {
      return e.errors();
    }
  }
}
