package io.mailflow.delivery.agent.smtp;

import io.mailflow.delivery.core.ConnectionFailure;
import io.mailflow.delivery.core.ConnectionFailure.Kind;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;

/** VertxSmtpClient - {@link SmtpClient} on a Vert.x NetClient: connects, then hands over to a session. */
final class VertxSmtpClient implements SmtpClient {

  private final Vertx vertx;
  private final SmtpClientOptions options;
  private final NetClient netClient;

  VertxSmtpClient(Vertx vertx, SmtpClientOptions options) {
    this.vertx = vertx;
    this.options = options;
    this.netClient = vertx.createNetClient(new NetClientOptions()
        .setConnectTimeout((int) options.getConnectTimeout().toMillis()));
  }

  @Override
  public Future<SendResult> send(String host, int port, OutboundMessage message) {
    String endpoint = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    return netClient.connect(port, host).transform(connected -> {
      if (connected.failed()) {
        Throwable cause = connected.cause();
        String detail = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return Future.succeededFuture(SmtpSession.failedBeforeSession(endpoint, message,
            new ConnectionFailure(Kind.CONNECT_FAILED, endpoint, "connect", detail)));
      }
      SmtpConnection connection = new SmtpConnection(vertx, connected.result(), endpoint,
          options.getReplyTimeout(), options.getMaxReplyLineLength());
      return new SmtpSession(connection, options, message).run();
    });
  }

  @Override
  public Future<Void> close() {
    return netClient.close();
  }
}
