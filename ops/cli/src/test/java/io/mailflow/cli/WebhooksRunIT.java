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
 * Webhooks end to end as `mailflow run` starts them: a real message over SMTP to a group, delivered to a member's mailbox,
 * deferred for an outside member whose smart host refuses connections, failed for one whose server answers 550
 * 5.1.1 (and a non-delivery report to the sender: bounced); the organization file's webhook gets a signed POST for
 * each, with the message's fields, and its meters are in the node's registry (/metrics).
 */
class WebhooksRunIT {
  private static final String SECRET = "6f1c0e6b9a4d4e21b0c7e1f2a3b4c5d6";
  @TempDir static Path work;
  private static HttpServer receiver;
  private static final List<Map.Entry<Map<String, String>, byte[]>> posts = new CopyOnWriteArrayList<>();
  private static RunCommand.Running running;
  private static final StringWriter printed = new StringWriter();
  private static int smtpPort;
  private static RefusingSmtpServer refusing;

  /** An SMTP server that refuses every recipient with 550 5.1.1 (a remote's permanent failure). */
  static final class RefusingSmtpServer implements AutoCloseable {
    final java.net.ServerSocket socket;

    RefusingSmtpServer() throws java.io.IOException {
      socket = new java.net.ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread accept = new Thread(() -> {
        while (!socket.isClosed()) {
          try {
            java.net.Socket s = socket.accept();
            Thread t = new Thread(() -> talk(s), "refusing-smtp");
            t.setDaemon(true);
            t.start();
          } catch (java.io.IOException e) {
            return;
          }
        }
      }, "refusing-smtp-accept");
      accept.setDaemon(true);
      accept.start();
    }

    private static void talk(java.net.Socket s) {
      try (s; var in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
          StandardCharsets.US_ASCII)); var out = s.getOutputStream()) {
        java.util.function.Consumer<String> say = line -> {
          try {
            out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        };
        say.accept("220 rejecting.test ESMTP");
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase() : line.toUpperCase();
          switch (verb) {
            case "EHLO", "HELO" -> say.accept("250 rejecting.test");
            case "RCPT" -> say.accept("550 5.1.1 User unknown");
            case "DATA" -> say.accept("554 5.5.1 No valid recipients");
            case "QUIT" -> {
              say.accept("221 2.0.0 Bye");
              return;
            }
            default -> say.accept("250 2.0.0 OK");
          }
        }
      } catch (java.io.IOException | java.io.UncheckedIOException e) {
        // the client went away
      }
    }

    int port() {
      return socket.getLocalPort();
    }

    @Override
    public void close() throws java.io.IOException {
      socket.close();
    }
  }

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
    int down = TestPorts.free(); // nothing listens there: the smart host is down, the copy is deferred
    refusing = new RefusingSmtpServer(); // answers 550 5.1.1 to every RCPT: failed, and an NDR to the sender
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
          - { name: Rejecting, addressSpaces: ["rejecting.test"], smartHosts: ["127.0.0.1:%d"] }
        mailboxes:
          - { name: Bob, primarySmtpAddress: bob@contoso.test }
        groups:
          - { name: Partners, primarySmtpAddress: partners@contoso.test, members: [bob@contoso.test, partner@fabrikam.test, nobody@rejecting.test] }
        webhooks:
          - name: crm
            url: http://127.0.0.1:%d/mail-events
            secretFile: %s
            events: [Delivered, Deferred, Failed, Bounced]
        """.formatted(smtpPort, down, refusing.port(), receiver.getAddress().getPort(), secret);
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
    if (refusing != null) {
      try {
        refusing.close();
      } catch (java.io.IOException e) {
        // closing a listening socket
      }
    }
  }

  @Test
  void aRealMessageIsDeliveredDeferredFailedAndBouncedAndTheWebhookIsToldOfEach() throws Exception {
    assertTrue(printed.toString().contains("webhook       crm consuming mail.tracking.v1 as mailflow-webhook-crm"),
        printed.toString());
    MailflowRunIT.send(smtpPort, "Webhook end to end", "partners@contoso.test");
    await().atMost(Duration.ofSeconds(90)).until(() -> has("delivered", "bob@contoso.test")
        && has("deferred", "partner@fabrikam.test") && has("failed", "nobody@rejecting.test")
        && has("bounced", "nobody@rejecting.test"));
    ObjectMapper json = new ObjectMapper();
    for (Map.Entry<Map<String, String>, byte[]> post : posts) {
      String timestamp = post.getKey().get("x-mailflow-timestamp");
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update((timestamp + ".").getBytes(StandardCharsets.US_ASCII));
      assertEquals("sha256=" + HexFormat.of().formatHex(mac.doFinal(post.getValue())),
          post.getKey().get("x-mailflow-signature"));
    }
    JsonNode delivered = byRecipient(json, "delivered", "bob@contoso.test");
    assertEquals("bob@contoso.test", delivered.get("recipient").asText());
    assertEquals("carol@example.com", delivered.at("/message/sender-address").asText());
    assertEquals("Webhook end to end", delivered.at("/message/message-subject").asText());
    assertEquals("EX01", delivered.get("server").asText());
    assertTrue(delivered.at("/message/total-bytes").asLong() > 0, delivered.toString());
    // the NDR to carol@example.com is deferred too (its smart host is the one that is down): pick by recipient
    JsonNode deferred = byRecipient(json, "deferred", "partner@fabrikam.test");
    assertEquals("partner@fabrikam.test", deferred.get("recipient").asText());
    assertEquals(delivered.at("/message/network-message-id"), deferred.at("/message/network-message-id"));
    assertTrue(deferred.get("status").asText().startsWith("4"), deferred.toString());
    assertTrue(deferred.hasNonNull("next-retry-time"), deferred.toString());
    JsonNode failed = byRecipient(json, "failed", "nobody@rejecting.test");
    assertEquals("nobody@rejecting.test", failed.get("recipient").asText());
    assertTrue(failed.get("status").asText().startsWith("550 5.1.1"), failed.toString());
    assertEquals("Rejecting", failed.get("connector-id").asText());
    JsonNode bounced = byRecipient(json, "bounced", "nobody@rejecting.test");
    assertEquals("nobody@rejecting.test", bounced.get("recipient").asText());
    assertEquals("carol@example.com", bounced.at("/report/sent-to").asText(), "the NDR went to the sender");
    assertEquals(delivered.at("/message/network-message-id"), bounced.at("/message/network-message-id"));

    String metrics = running.node.meters().scrape();
    assertTrue(metrics.contains("mailflow_webhook_notifications_total{endpoint=\"crm\",event=\"delivered\",outcome=\"sent\"}"),
        metrics.lines().filter(l -> l.contains("webhook")).collect(Collectors.joining("\n")));
    assertTrue(metrics.contains("mailflow_webhook_pending{endpoint=\"crm\"}"));
  }

  private static boolean has(String event, String recipient) {
    return events().getOrDefault(event, List.of()).stream()
        .anyMatch(b -> new String(b, StandardCharsets.UTF_8).contains("\"recipient\":\"" + recipient + "\""));
  }

  private static JsonNode byRecipient(ObjectMapper json, String event, String recipient) throws Exception {
    for (byte[] body : events().get(event)) {
      JsonNode node = json.readTree(body);
      if (recipient.equals(node.get("recipient").asText())) {
        return node;
      }
    }
    throw new AssertionError("no " + event + " notification for " + recipient);
  }

  private static Map<String, List<byte[]>> events() {
    return posts.stream().collect(Collectors.groupingBy(p -> p.getKey().get("x-mailflow-event"),
        Collectors.mapping(Map.Entry::getValue, Collectors.toList())));
  }
}
