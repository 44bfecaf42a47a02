package io.mailflow.organization;

import java.util.Objects;

/**
 * Server - a transport/mailbox server, the site it sits in, and where its intra-organization receive
 * connector listens: other servers relay mail for its site, DAG or send connectors there over SMTP.
 *
 * @param smtp host and port of the server's receive connector for other servers (default
 *     {@code <name>:25}, as Exchange servers find each other by name on port 25)
 * @param trackingBootstrap where the server's message-tracking events (mail.tracking.v1) can be read: the Kafka
 *     bootstrap servers of its cluster, {@code host:port[,host:port...]}; null (the default) when they are on the
 *     reader's own cluster or not readable. A delivery report covers every distinct cluster named here.
 */
public record Server(String name, String site, SmtpEndpoint smtp, String trackingBootstrap) {

  public static final int DEFAULT_SMTP_PORT = 25;

  public Server {
    Objects.requireNonNull(smtp, "smtp");
  }

  /** A server reached on {@code smtp}, its tracking events on the reader's own cluster. */
  public Server(String name, String site, SmtpEndpoint smtp) {
    this(name, site, smtp, null);
  }

  /** A server reached on {@code <name>:25}. */
  public Server(String name, String site) {
    this(name, site, new SmtpEndpoint(name, DEFAULT_SMTP_PORT));
  }

  /** Where to connect: a host name or IP address and a port. */
  public record SmtpEndpoint(String host, int port) {
    @Override
    public String toString() {
      return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
  }
}
