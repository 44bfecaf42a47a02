package io.mailflow.edge.server;

import io.mailflow.edge.protocol.HookResult;
import io.mailflow.edge.protocol.MailFrom;
import io.mailflow.edge.protocol.RcptTo;
import io.mailflow.edge.protocol.SessionInfo;
import io.mailflow.organization.Directory;
import io.mailflow.organization.ReceiveConnector;
import io.mailflow.organization.SmtpAddress;
import java.util.Optional;

/**
 * ConnectorPolicy - what a receive connector lets a session do, decided from its permission groups
 * and the directory. Walking skeleton: anonymous sessions only (AUTH, the extended rights and
 * relay permissions arrive with issue 3); the decisions are Exchange's for AnonymousUsers.
 */
final class ConnectorPolicy {
  private final ReceiveConnector connector;
  private final Directory directory;

  ConnectorPolicy(ReceiveConnector connector, Directory directory) {
    this.connector = connector;
    this.directory = directory;
  }

  /** MAIL FROM: a connector without AnonymousUsers takes mail only from authenticated clients. */
  HookResult mailFrom(SessionInfo session, MailFrom from) {
    if (session.authenticatedAs() == null && !connector.allowsAnonymous()) {
      return HookResult.deny(EdgeReplies.NOT_AUTHENTICATED);
    }
    return HookResult.ACCEPT;
  }

  /**
   * RCPT TO for an anonymous session (no ms-Exch-SMTP-Accept-Any-Recipient): accepted domains only;
   * in an Authoritative domain the recipient must exist; relay domains are taken without lookup.
   */
  HookResult rcptTo(SessionInfo session, RcptTo rcpt) {
    Optional<SmtpAddress> address = SmtpAddress.tryParse(recipientAddress(rcpt));
    if (address.isEmpty()) {
      return HookResult.deny(EdgeReplies.RECIPIENT_NOT_FOUND);
    }
    Directory.RecipientScope scope = directory.scope(address.get());
    if (scope == Directory.RecipientScope.UNKNOWN_LOCAL && isPostmaster(address.get())) {
      return HookResult.ACCEPT; // RFC 5321 4.5.1: postmaster of every accepted domain must be reachable
    }
    return switch (scope) {
      case LOCAL, INTERNAL_RELAY, EXTERNAL_RELAY -> HookResult.ACCEPT;
      case UNKNOWN_LOCAL -> HookResult.deny(EdgeReplies.RECIPIENT_NOT_FOUND);
      case EXTERNAL -> HookResult.deny(EdgeReplies.RELAY_DENIED);
    };
  }

  /** The address a recipient stands for: a bare {@code postmaster} is the default domain's (RFC 5321 4.5.1). */
  String recipientAddress(RcptTo rcpt) {
    if (rcpt.address().indexOf('@') < 0) {
      return "postmaster@" + directory.organization().defaultDomain().domainName();
    }
    return rcpt.address();
  }

  private static boolean isPostmaster(SmtpAddress address) {
    return address.localPart().equalsIgnoreCase("postmaster");
  }
}
