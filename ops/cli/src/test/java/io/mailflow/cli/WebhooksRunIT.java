package io.mailflow.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.mailflow.organization.Organization;
import io.mailflow.organization.OrganizationLoader;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Webhooks end to end as `mailflow run` starts them: a real message over SMTP to a group, delivered to a member's mailbox and
 * deferred for an outside member whose smart host refuses connections; the organization file's webhook gets a signed
 * POST for each, with the message's fields, and its meters are in the node's registry (/metrics).
 */
class WebhooksRunIT {
  private static final String SECRET = "6f1c0e6b9a4d4e21b0c7e1f2a3b4c5d6";
  @TempDir static Path work;
  private static HttpServer receiver;
  private static final List<Map.Entry<Map<String, String>, byte[]>> posts = new CopyOnWriteArrayList<>();
  private static RunCommand.Running running;
  private static final StringWriter printed = new StringWriter();
  private static int smtpPort;

  @BeforeAll
  static void start() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    receiver.createContext("/mail-events", exchange -> {
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      Map<String, String> headers = exchange.getRequestHeaders().entrySet().stream()
          .collect(Collectors.toMap(e -> e.getKey().toLowerCase(), e -> e.getValue().get(0)));
      posts.add(Map.entry(headers, body));
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    receiver.start();
    Path secret = work.resolve("crm.secret");
    Files.writeString(secret, SECRET + "\n");
    smtpPort = TestPorts.free();
    int refusing = TestPorts.free(); // nothing listens there: the smart host is down, the copy is deferred
    String yaml = """
        serverName: EX01
        kafka: { partitions: 2, replicationFactor: 1 }
        acceptedDomains: [ { domainName: contoso.test, type: Authoritative, default: true } ]
        receiveConnectors:
          - name: Default Frontend EX01
            bindings: ["127.0.0.1:%d"]
            permissionGroups: [AnonymousUsers, ExchangeServers]
        sendConnectors:
          - { name: Outbound, addressSpaces: ["*"], smartHosts: ["127.0.0.1:%d"] }
        mailboxes:
          - { name: Bob, primarySmtpAddress: bob@contoso.test }
        groups:
          - { name: Partners, primarySmtpAddress: partners@contoso.test, members: [bob@contoso.test, partner@fabrikam.test] }
        webhooks:
          - name: crm
            url: http://127.0.0.1:%d/mail-events
            secretFile: %s
            events: [Delivered, Deferred, Failed, Bounced]
        """.formatted(smtpPort, refusing, receiver.getAddress().getPort(), secret);
    Organization org = OrganizationLoader.parse(yaml, "webhooks-it.yaml");
    running = RunCommand.Running.start(org, work.resolve("data"), 0, new PrintWriter(printed, true));
  }

  @AfterAll
  static void stop() {
    if (running != null) {
      running.close();
    }
    if (receiver != null) {
      receiver.stop(0);
    }
  }

  @Test
  void aRealMessageIsDeliveredAndDeferredAndTheWebhookIsToldOfBoth() throws Exception {
    assertTrue(printed.toString().contains("webhook       crm consuming mail.tracking.v1 as mailflow-webhook-crm"),
        printed.toString());
    MailflowRunIT.send(smtpPort, "Webhook end to end", "partners@contoso.test");
    await().atMost(Duration.ofSeconds(90)).until(() -> events().containsKey("delivered")
        && events().containsKey("deferred"));
    ObjectMapper json = new ObjectMapper();
    for (Map.Entry<Map<String, String>, byte[]> post : posts) {
      String timestamp = post.getKey().get("x-mailflow-timestamp");
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update((timestamp + ".").getBytes(StandardCharsets.US_ASCII));
      assertEquals("sha256=" + HexFormat.of().formatHex(mac.doFinal(post.getValue())),
          post.getKey().get("x-mailflow-signature"));
    }
    JsonNode delivered = json.readTree(events().get("delivered").get(0));
    assertEquals("bob@contoso.test", delivered.get("recipient").asText());
    assertEquals("carol@example.com", delivered.at("/message/sender-address").asText());
    assertEquals("Webhook end to end", delivered.at("/message/message-subject").asText());
    assertEquals("EX01", delivered.get("server").asText());
    assertTrue(delivered.at("/message/total-bytes").asLong() > 0, delivered.toString());
    JsonNode deferred = json.readTree(events().get("deferred").get(0));
    assertEquals("partner@fabrikam.test", deferred.get("recipient").asText());
    assertEquals(delivered.at("/message/network-message-id"), deferred.at("/message/network-message-id"));
    assertTrue(deferred.get("status").asText().startsWith("4"), deferred.toString());
    assertTrue(deferred.hasNonNull("next-retry-time"), deferred.toString());

    String metrics = running.node.meters().scrape();
    assertTrue(metrics.contains("mailflow_webhook_notifications_total{endpoint=\"crm\",event=\"delivered\",outcome=\"sent\"}"),
        metrics.lines().filter(l -> l.contains("webhook")).collect(Collectors.joining("\n")));
    assertTrue(metrics.contains("mailflow_webhook_pending{endpoint=\"crm\"}"));
  }

  private static Map<String, List<byte[]>> events() {
    return posts.stream().collect(Collectors.groupingBy(p -> p.getKey().get("x-mailflow-event"),
        Collectors.mapping(Map.Entry::getValue, Collectors.toList())));
  }
}
