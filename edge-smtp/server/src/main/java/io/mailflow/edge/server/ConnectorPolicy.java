package io.mailflow.edge.server;

import io.mailflow.edge.protocol.HookResult;
import io.mailflow.edge.protocol.MailFrom;
import io.mailflow.edge.protocol.RcptTo;
import io.mailflow.edge.protocol.SessionInfo;
import io.mailflow.organization.Directory;
import io.mailflow.organization.DirectoryEntry;
import io.mailflow.organization.ExtendedRight;
import io.mailflow.organization.Mailbox;
import io.mailflow.organization.ReceiveConnector;
import io.mailflow.organization.SmtpAddress;
import java.util.Optional;
import java.util.Set;

/**
 * ConnectorPolicy - what a receive connector lets a session do, decided from the session's extended
 * rights ({@link SessionRights}) and the directory, with Exchange's replies:
 * <ul>
 *   <li>MAIL FROM without ms-Exch-SMTP-Submit: 530 5.7.57 when anonymous, 550 5.7.1 when authenticated;
 *   <li>MAIL FROM with a sender the session may not use: 550 5.7.60. Anonymous sessions need
 *       Accept-Authoritative-Domain-Sender for senders in the organization's authoritative domains and
 *       Accept-Any-Sender for others; authenticated ones may use their own addresses and their Send As
 *       grants, anything else needs Accept-Any-Sender (or, for authoritative domains,
 *       Accept-Authoritative-Domain-Sender);
 *   <li>RCPT TO outside the accepted domains without Accept-Any-Recipient: 550 5.7.54; an unknown
 *       recipient in an authoritative domain: 550 5.1.10 whatever the rights.
 * </ul>
 */
final class ConnectorPolicy {
  private final Directory directory;
  private final SessionRights rights;

  ConnectorPolicy(ReceiveConnector connector, Directory directory) {
    this.directory = directory;
    this.rights = new SessionRights(connector, directory);
  }

  /** The session's rights as it is now (they change when it authenticates). */
  Set<ExtendedRight> rights(SessionInfo session) {
    return rights.of(session.authenticatedAs());
  }

  /** The rights of a session authenticated as {@code identity} (null: anonymous). */
  Set<ExtendedRight> rightsOf(String identity) {
    return rights.of(identity);
  }

  HookResult mailFrom(SessionInfo session, MailFrom from) {
    Set<ExtendedRight> held = rights(session);
    boolean authenticated = session.authenticated();
    if (!held.contains(ExtendedRight.SMTP_SUBMIT)) {
      return HookResult.deny(authenticated ? EdgeReplies.NO_SUBMIT_PERMISSION : EdgeReplies.NOT_AUTHENTICATED);
    }
    if (from.isNullSender()) {
      return HookResult.ACCEPT; // bounces carry no sender to spoof
    }
    Optional<SmtpAddress> sender = SmtpAddress.tryParse(from.reversePath());
    if (sender.isEmpty()) {
      return HookResult.deny(EdgeReplies.SEND_AS_DENIED);
    }
    boolean authoritative = directory.isAuthoritative(sender.get().domainLower());
    boolean allowed;
    if (authenticated) {
      allowed = held.contains(ExtendedRight.SMTP_ACCEPT_ANY_SENDER)
          || (authoritative && held.contains(ExtendedRight.SMTP_ACCEPT_AUTHORITATIVE_DOMAIN_SENDER))
          || mayUse(session.authenticatedAs(), sender.get());
    } else {
      allowed = authoritative ? held.contains(ExtendedRight.SMTP_ACCEPT_AUTHORITATIVE_DOMAIN_SENDER)
          : held.contains(ExtendedRight.SMTP_ACCEPT_ANY_SENDER);
    }
    return allowed ? HookResult.ACCEPT : HookResult.deny(EdgeReplies.SEND_AS_DENIED);
  }

  /**
   * RCPT TO: recipients of the organization are taken (an unknown one in an Authoritative domain is
   * refused, postmaster excepted); relay domains without lookup; anything else needs
   * ms-Exch-SMTP-Accept-Any-Recipient.
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
      case EXTERNAL -> rights(session).contains(ExtendedRight.SMTP_ACCEPT_ANY_RECIPIENT)
          ? HookResult.ACCEPT : HookResult.deny(EdgeReplies.RELAY_DENIED);
    };
  }

  /** The address a recipient stands for: a bare {@code postmaster} is the default domain's (RFC 5321 4.5.1). */
  String recipientAddress(RcptTo rcpt) {
    if (rcpt.address().indexOf('@') < 0) {
      return "postmaster@" + directory.organization().defaultDomain().domainName();
    }
    return rcpt.address();
  }

  /** An authenticated mailbox may send as its own addresses and as the recipients it has Send As on. */
  private boolean mayUse(String identity, SmtpAddress sender) {
    Optional<Mailbox> mailbox = directory.findMailbox(identity);
    if (mailbox.isEmpty()) {
      return false;
    }
    Optional<DirectoryEntry> owner = directory.find(sender);
    if (owner.isPresent() && owner.get().equals(mailbox.get())) {
      return true;
    }
    for (String target : mailbox.get().sendAs()) {
      Optional<DirectoryEntry> granted = directory.find(target);
      if (granted.isPresent() && owner.isPresent() && granted.get().equals(owner.get())) {
        return true;
      }
    }
    return false;
  }

  private static boolean isPostmaster(SmtpAddress address) {
    return address.localPart().equalsIgnoreCase("postmaster");
  }
}
