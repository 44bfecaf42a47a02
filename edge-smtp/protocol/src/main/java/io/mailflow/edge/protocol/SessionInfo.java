package io.mailflow.edge.protocol;

import java.net.InetSocketAddress;

/**
 * SessionInfo - what the engine knows about a session at one moment, handed to every hook.
 * Immutable: each change (EHLO, STARTTLS) produces a new value.
 *
 * @param sessionId the protocol-log session id chosen by the transport adapter
 * @param client the remote end of the connection
 * @param server the local end the client connected to
 * @param heloName the name given in the last EHLO/HELO, or null before it
 * @param esmtp whether the client greeted with EHLO (extensions allowed)
 * @param tls whether the session runs over TLS
 * @param authenticatedAs the identity the client authenticated as (AUTH), or null while anonymous
 */
public record SessionInfo(String sessionId, InetSocketAddress client, InetSocketAddress server,
    String heloName, boolean esmtp, boolean tls, String authenticatedAs) {

  /** A session that has just connected. */
  public static SessionInfo connected(String sessionId, InetSocketAddress client, InetSocketAddress server,
      boolean tls) {
    return new SessionInfo(sessionId, client, server, null, false, tls, null);
  }

  /** The client's IP address as text, without port (e.g. {@code 127.0.0.1}). */
  public String clientIp() {
    return ipOf(client);
  }

  /** The server's IP address as text, without port. */
  public String serverIp() {
    return ipOf(server);
  }

  public boolean greeted() {
    return heloName != null;
  }

  SessionInfo withHelo(String name, boolean extended) {
    return new SessionInfo(sessionId, client, server, name, extended, tls, authenticatedAs);
  }

  /** RFC 3207 4.2: everything learnt before the handshake is forgotten, the AUTH identity included. */
  SessionInfo afterTls() {
    return new SessionInfo(sessionId, client, server, null, false, true, null);
  }

  SessionInfo withAuthenticated(String identity) {
    return new SessionInfo(sessionId, client, server, heloName, esmtp, tls, identity);
  }

  public boolean authenticated() {
    return authenticatedAs != null;
  }

  private static String ipOf(InetSocketAddress address) {
    if (address == null) {
      return "";
    }
    return address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
  }
}
