package io.mailflow.edge.server;

import io.mailflow.edge.protocol.HookResult;
import io.mailflow.edge.protocol.MailFrom;
import io.mailflow.edge.protocol.RcptTo;
import io.mailflow.edge.protocol.Replies;
import io.mailflow.edge.protocol.SessionInfo;
import io.mailflow.organization.Directory;
import io.mailflow.organization.ExtendedRight;
import io.mailflow.organization.ReceiveConnector;
import io.mailflow.organization.SmtpAddress;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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
 * A session's principal ({@link #principal}) is the connector's when it is externally secured, else the
 * AUTH identity, else what its TLS client certificate made it ({@link #authenticated}), else anonymous.
 * A domain-secure partner may use senders in its own domain as an authenticated user its own addresses.
 */
final class ConnectorPolicy {
  private final ReceiveConnector connector;
  private final Directory directory;
  private final SessionRights rights;
  private final ServerAuthentication servers;
  /** Principals sessions got from their TLS client certificate, by session id, until the session ends. */
  private final Map<String, SessionPrincipal> byCertificate = new ConcurrentHashMap<>();

  /** @throws IllegalArgumentException when the connector's trusted certificates cannot be read */
  ConnectorPolicy(ReceiveConnector connector, Directory directory) {
    this.connector = connector;
    this.directory = directory;
    this.rights = new SessionRights(connector, directory);
    this.servers = new ServerAuthentication(connector, directory.organization());
  }

  ServerAuthentication serverAuthentication() {
    return servers;
  }

  /** Records what session {@code sessionId}'s client certificate made it (ANONYMOUS forgets it). */
  void authenticated(String sessionId, SessionPrincipal principal) {
    if (principal.authenticated()) {
      byCertificate.put(sessionId, principal);
    } else {
      byCertificate.remove(sessionId);
    }
  }

  /** The session ended: forget its certificate principal. */
  void ended(String sessionId) {
    byCertificate.remove(sessionId);
  }

  /** Who the session is now (it changes with STARTTLS and AUTH). */
  SessionPrincipal principal(SessionInfo session) {
    if (connector.externallySecured()) {
      return SessionPrincipal.EXTERNALLY_SECURED;
    }
    if (session.authenticatedAs() != null) {
      return SessionPrincipal.user(session.authenticatedAs());
    }
    return byCertificate.getOrDefault(session.sessionId(), SessionPrincipal.ANONYMOUS);
  }

  /** The session's rights as it is now (they change when it authenticates). */
  Set<ExtendedRight> rights(SessionInfo session) {
    return rights.of(principal(session));
  }

  /** The rights of a session that is {@code principal}. */
  Set<ExtendedRight> rightsAs(SessionPrincipal principal) {
    return rights.of(principal);
  }

  /** The rights of a session authenticated as {@code identity} (null: anonymous). */
  Set<ExtendedRight> rightsOf(String identity) {
    return connector.externallySecured() ? rights.of(SessionPrincipal.EXTERNALLY_SECURED) : rights.of(identity);
  }

  HookResult mailFrom(SessionInfo session, MailFrom from) {
    if (connector.requireTls() && !session.tls()) {
      return HookResult.deny(Replies.STARTTLS_FIRST); // Exchange's RequireTLS: no transaction in the clear
    }
    return mailFrom(principal(session), from);
  }

  HookResult mailFrom(SessionPrincipal principal, MailFrom from) {
    Set<ExtendedRight> held = rights.of(principal);
    boolean authenticated = principal.authenticated();
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
          || switch (principal.kind()) {
            case USER -> mayUse(principal.name(), sender.get());
            case PARTNER -> inDomain(sender.get().domainLower(), principal.name());
            default -> false;
          };
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
    return rcptTo(principal(session), rcpt);
  }

  HookResult rcptTo(SessionPrincipal principal, RcptTo rcpt) {
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
      case EXTERNAL -> rights.of(principal).contains(ExtendedRight.SMTP_ACCEPT_ANY_RECIPIENT)
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
    return directory.findMailbox(identity).map(m -> m.maySendAs(directory, sender.normalized())).orElse(false);
  }

  private static boolean inDomain(String domain, String partnerDomain) {
    return domain.equals(partnerDomain) || domain.endsWith("." + partnerDomain);
  }

  private static boolean isPostmaster(SmtpAddress address) {
    return address.localPart().equalsIgnoreCase("postmaster");
  }
}
