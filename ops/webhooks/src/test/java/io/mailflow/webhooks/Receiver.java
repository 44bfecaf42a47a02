package io.mailflow.webhooks;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.function.ToIntFunction;

/**
 * Receiver - a real HTTP receiver on 127.0.0.1 (the JDK's HttpServer): records every POST and answers with what
 * {@link #answer} says for it; can stop listening and start again on the same port (an endpoint that goes down).
 */
final class Receiver implements AutoCloseable {
  /** One POST as received, with the status it was answered. */
  record Post(String id, String event, String timestamp, String signature, byte[] body, int status) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  final List<Post> posts = new CopyOnWriteArrayList<>();
  private volatile ToIntFunction<String> answer = body -> 200;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private int port;
  private HttpServer server;

  Receiver() throws IOException {
    listen(0);
  }

  /** Answers {@code status} to every POST from now on. */
  void answer(int status) {
    answer = body -> status;
  }

  /** Answers what {@code byBody} says for each POST's body. */
  void answer(ToIntFunction<String> byBody) {
    answer = byBody;
  }

  String url() {
    return "http://127.0.0.1:" + port + "/hooks/mail";
  }

  synchronized void stopListening() {
    server.stop(0);
    server = null;
  }

  synchronized void listenAgain() throws IOException {
    listen(port);
  }

  private void listen(int on) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), on), 50);
    server.setExecutor(threads);
    server.createContext("/hooks/mail", exchange -> {
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      int status = answer.applyAsInt(new String(body, StandardCharsets.UTF_8));
      var h = exchange.getRequestHeaders();
      posts.add(new Post(h.getFirst(WebhookEndpoint.ID_HEADER), h.getFirst(WebhookEndpoint.EVENT_HEADER),
          h.getFirst(WebhookSignature.TIMESTAMP_HEADER), h.getFirst(WebhookSignature.SIGNATURE_HEADER), body, status));
      exchange.sendResponseHeaders(status, -1);
      exchange.close();
    });
    server.start();
    port = server.getAddress().getPort();
  }

  /** The POSTs answered 2xx. */
  List<Post> accepted() {
    return posts.stream().filter(p -> p.status() / 100 == 2).toList();
  }

  @Override
  public synchronized void close() {
    if (server != null) {
      server.stop(0);
    }
    threads.shutdownNow();
  }
}
