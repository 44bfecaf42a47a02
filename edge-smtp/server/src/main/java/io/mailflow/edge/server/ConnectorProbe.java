package io.mailflow.edge.server;

import io.mailflow.edge.protocol.CommandArguments;
import io.mailflow.edge.protocol.HookResult;
import io.mailflow.edge.protocol.SmtpSyntaxException;
import io.mailflow.organization.Directory;
import io.mailflow.organization.ExtendedRight;
import io.mailflow.organization.ReceiveConnector;
import java.util.List;
import java.util.Set;

/**
 * ConnectorProbe - asks a receive connector's real policy what a session could do, without a socket:
 * its extended rights, and the reply MAIL FROM or RCPT TO would get. For {@code mailflow connectors
 * explain}; the edge's sessions use the same {@link ConnectorPolicy}.
 */
public final class ConnectorProbe {
  private final ReceiveConnector connector;
  private final ConnectorPolicy policy;

  /** @throws IllegalArgumentException when the connector's trusted certificates cannot be read */
  public ConnectorProbe(ReceiveConnector connector, Directory directory) {
    this.connector = connector;
    this.policy = new ConnectorPolicy(connector, directory);
  }

  /** The extended rights of a session authenticated as {@code identity} (null: anonymous). */
  public Set<ExtendedRight> rights(String identity) {
    return rightsAs(principal(identity));
  }

  /**
   * Who a session authenticated as {@code identity} (null: anonymous) is on this connector: on an
   * externally secured one (ExternalAuthoritative) every session is an Exchange server.
   */
  public SessionPrincipal principal(String identity) {
    return connector.externallySecured() ? SessionPrincipal.EXTERNALLY_SECURED : SessionPrincipal.user(identity);
  }

  /**
   * Who a session whose valid TLS client certificate names {@code certificateName} would be: an
   * Exchange server, a domain-secure partner, or anonymous (also when the connector asks for no
   * certificate).
   */
  public SessionPrincipal certificatePrincipal(String certificateName) {
    if (connector.externallySecured()) {
      return SessionPrincipal.EXTERNALLY_SECURED;
    }
    ServerAuthentication servers = policy.serverAuthentication();
    return servers.requestsCertificate() ? servers.principalFor(List.of(certificateName)) : SessionPrincipal.ANONYMOUS;
  }

  /** The extended rights of a session that is {@code principal}. */
  public Set<ExtendedRight> rightsAs(SessionPrincipal principal) {
    return policy.rightsAs(principal);
  }

  /** The rights in the protocol log's words, e.g. {@code SMTPSubmit SMTPAcceptAnySender}. */
  public static String describe(Set<ExtendedRight> rights) {
    return SessionRights.describe(rights);
  }

  /** The reply MAIL FROM:&lt;sender&gt; would get from a session authenticated as {@code identity} (null: anonymous). */
  public String mailFrom(String identity, String sender) {
    return mailFromAs(principal(identity), sender);
  }

  /** The reply MAIL FROM:&lt;sender&gt; would get from a session that is {@code principal}. */
  public String mailFromAs(SessionPrincipal principal, String sender) {
    HookResult result;
    try {
      result = policy.mailFrom(principal, CommandArguments.parseMailFrom("FROM:<" + sender + ">", true));
    } catch (SmtpSyntaxException e) {
      throw new IllegalArgumentException("'" + sender + "' is not an address MAIL FROM takes", e);
    }
    return result.accepted() ? "250 2.1.0 Sender OK" : result.reply().toString();
  }

  /** The reply RCPT TO:&lt;recipient&gt; would get from a session authenticated as {@code identity} (null: anonymous). */
  public String rcptTo(String identity, String recipient) {
    return rcptToAs(principal(identity), recipient);
  }

  /** The reply RCPT TO:&lt;recipient&gt; would get from a session that is {@code principal}. */
  public String rcptToAs(SessionPrincipal principal, String recipient) {
    HookResult result;
    try {
      result = policy.rcptTo(principal, CommandArguments.parseRcptTo("TO:<" + recipient + ">", true, false));
    } catch (SmtpSyntaxException e) {
      throw new IllegalArgumentException("'" + recipient + "' is not an address RCPT TO takes", e);
    }
    return result.accepted() ? "250 2.1.5 Recipient OK" : result.reply().toString();
  }

}
