package io.mailflow.edge.server;

import io.mailflow.edge.protocol.CommandArguments;
import io.mailflow.edge.protocol.HookResult;
import io.mailflow.edge.protocol.SessionInfo;
import io.mailflow.edge.protocol.SmtpSyntaxException;
import io.mailflow.organization.Directory;
import io.mailflow.organization.ExtendedRight;
import io.mailflow.organization.ReceiveConnector;
import java.net.InetSocketAddress;
import java.util.Set;

/**
 * ConnectorProbe - asks a receive connector's real policy what a session could do, without a socket:
 * its extended rights, and the reply MAIL FROM or RCPT TO would get. For {@code mailflow connectors
 * explain}; the edge's sessions use the same {@link ConnectorPolicy}.
 */
public final class ConnectorProbe {
  private final ConnectorPolicy policy;
  private final SessionInfo anonymous;

  public ConnectorProbe(ReceiveConnector connector, Directory directory) {
    this.policy = new ConnectorPolicy(connector, directory);
    this.anonymous = SessionInfo.connected("probe", new InetSocketAddress("127.0.0.1", 0),
        new InetSocketAddress("127.0.0.1", 0), true);
  }

  /** The extended rights of a session authenticated as {@code identity} (null: anonymous). */
  public Set<ExtendedRight> rights(String identity) {
    return policy.rightsOf(identity);
  }

  /** The rights in the protocol log's words, e.g. {@code SMTPSubmit SMTPAcceptAnySender}. */
  public static String describe(Set<ExtendedRight> rights) {
    return SessionRights.describe(rights);
  }

  /** The reply MAIL FROM:&lt;sender&gt; would get from a session authenticated as {@code identity} (null: anonymous). */
  public String mailFrom(String identity, String sender) {
    HookResult result;
    try {
      result = policy.mailFrom(session(identity), CommandArguments.parseMailFrom("FROM:<" + sender + ">", true));
    } catch (SmtpSyntaxException e) {
      throw new IllegalArgumentException("'" + sender + "' is not an address MAIL FROM takes", e);
    }
    return result.accepted() ? "250 2.1.0 Sender OK" : result.reply().toString();
  }

  /** The reply RCPT TO:&lt;recipient&gt; would get from a session authenticated as {@code identity} (null: anonymous). */
  public String rcptTo(String identity, String recipient) {
    HookResult result;
    try {
      result = policy.rcptTo(session(identity), CommandArguments.parseRcptTo("TO:<" + recipient + ">", true, false));
    } catch (SmtpSyntaxException e) {
      throw new IllegalArgumentException("'" + recipient + "' is not an address RCPT TO takes", e);
    }
    return result.accepted() ? "250 2.1.5 Recipient OK" : result.reply().toString();
  }

  private SessionInfo session(String identity) {
    return new SessionInfo(anonymous.sessionId(), anonymous.client(), anonymous.server(), "probe.invalid", true,
        true, identity);
  }
}
