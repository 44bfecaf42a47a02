package io.mailflow.categorizer;

import io.mailflow.organization.AcceptedDomain.DomainType;
import io.mailflow.organization.AddressBook;
import io.mailflow.organization.ConnectorRights;
import io.mailflow.organization.ExtendedRight;
import io.mailflow.organization.Mailbox;
import io.mailflow.organization.ReceiveConnector;
import io.mailflow.organization.SmtpAddress;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * SendAsCheck - the categorizer's half of Exchange's send-as check. The edge checked MAIL FROM at 5.7.60;
 * what it could not check is the header: every address in From: and Sender: of an authenticated
 * submission must be the submitter's own mailbox or one it has Send As on, unless the session held
 * ms-Exch-SMTP-Accept-Any-Sender (or, for addresses in authoritative domains,
 * ms-Exch-SMTP-Accept-Authoritative-Domain-Sender) on the receive connector that took the message.
 * Anonymous submissions are not checked (the edge's anti-spoofing rules cover them).
 *
 * <p>The session's rights are recomputed from the connector named in the envelope by the organization's
 * {@link ConnectorRights}, the same rule the edge applied. Pure.
 */
public final class SendAsCheck {
  /** Exchange's reply when a client may not send as a sender. */
  public static final String DENIED = "550 5.7.60 SMTP; Client does not have permissions to send as this sender";

  private final AddressBook book;
  private final List<ConnectorRights> connectors;

  public SendAsCheck(AddressBook book, List<ReceiveConnector> connectors) {
    this.book = book;
    this.connectors = connectors.stream().map(c -> new ConnectorRights(c, book)).toList();
  }

  /**
   * The first From:/Sender: address the submitter may not use, or empty when the message may go on.
   *
   * @param authenticatedAs the identity the client authenticated as (a mailbox address), null if anonymous
   * @param receiveConnector the name of the receive connector that accepted the message
   * @param header the message's header section (more may follow; it is cut at the first empty line)
   */
  public Optional<String> refusedSender(String authenticatedAs, String receiveConnector, byte[] header) {
    if (authenticatedAs == null) {
      return Optional.empty();
    }
    Optional<Mailbox> submitter = book.find(authenticatedAs).filter(Mailbox.class::isInstance).map(Mailbox.class::cast);
    Set<ExtendedRight> rights = rights(authenticatedAs, receiveConnector);
    if (rights.contains(ExtendedRight.SMTP_ACCEPT_ANY_SENDER)) {
      return Optional.empty();
    }
    byte[] section = HeaderAddresses.headerSection(header);
    for (String field : List.of("From", "Sender")) {
      for (String address : HeaderAddresses.of(section, field)) {
        if (!mayUse(submitter, address, rights)) {
          return Optional.of(address);
        }
      }
    }
    return Optional.empty();
  }

  private boolean mayUse(Optional<Mailbox> submitter, String address, Set<ExtendedRight> rights) {
    Optional<SmtpAddress> parsed = SmtpAddress.tryParse(address);
    if (parsed.isEmpty()) {
      return false;
    }
    if (rights.contains(ExtendedRight.SMTP_ACCEPT_AUTHORITATIVE_DOMAIN_SENDER)
        && book.acceptedDomain(parsed.get().domainLower()).map(d -> d.type() == DomainType.Authoritative)
            .orElse(false)) {
      return true;
    }
    return submitter.map(m -> m.maySendAs(book, address)).orElse(false);
  }

  private Set<ExtendedRight> rights(String identity, String connectorName) {
    Optional<ConnectorRights> connector = connectors.stream()
        .filter(c -> c.connector().name().equalsIgnoreCase(connectorName)).findFirst();
    if (connector.isEmpty()) {
      return Set.of(); // a connector renamed or removed since: no extra rights, the header is checked
    }
    return connector.get().ofUser(identity);
  }
}
