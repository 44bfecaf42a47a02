package io.mailflow.categorizer;

import io.mailflow.organization.AcceptedDomain;
import io.mailflow.organization.AcceptedDomain.DomainType;
import io.mailflow.organization.AddressBook;
import io.mailflow.organization.Directory;
import io.mailflow.organization.DirectoryEntry;
import io.mailflow.organization.DistributionGroup;
import io.mailflow.organization.Mailbox;
import io.mailflow.organization.Organization;
import io.mailflow.organization.TargetAddressRecipient;
import io.mailflow.smtp.Notify;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * RecipientResolver - resolves envelope recipients against the directory, as Exchange's categorizer does.
 *
 * <p>A proxy address resolves to its mailbox's primary address (RESOLVE); a distribution group expands
 * into its members, nested groups included, each member once however many groups name it (EXPAND,
 * DUPLICATEEXPAND), and a group that contains itself through any chain is expanded once. An address in
 * an Authoritative domain that matches nothing fails with {@code 5.1.1 RESOLVER.ADR.ExRecipNotFound}; an
 * address in an InternalRelay or ExternalRelay domain, or outside the accepted domains, is external. A
 * mail contact or mail user is redirected to its external address (REDIRECT), which is then resolved in
 * turn; a redirect that comes back to an object already redirected in this message stops there.
 *
 * <p>A forwarding mailbox (ForwardingAddress / ForwardingSmtpAddress) is redirected to its target
 * (REDIRECT), which resolves in turn; with DeliverToMailboxAndForward the mailbox is delivered too and the
 * forwarded recipients are marked for a copy of their own. A forwarding chain that comes back to a mailbox
 * already forwarding on it ends there: that mailbox is delivered, so A -> B -> A delivers to A once.
 *
 * <p>A group whose reports go to its manager or to nobody gives its members that envelope sender (RFC 5321
 * 3.9 list semantics: reports follow the envelope sender), and its members start with default DSN
 * parameters; a group reporting to the originator is an alias: members keep the sender and ORCPT and
 * inherit NOTIFY without SUCCESS (RFC 3461 6.2.7.3).
 *
 * <p>Pure: reads only the address book.
 */
public final class RecipientResolver {
  /** The NDR status Exchange's categorizer gives an unknown recipient in an authoritative domain. */
  public static final String RECIPIENT_NOT_FOUND =
      "550 5.1.1 RESOLVER.ADR.ExRecipNotFound; not found";

  private final AddressBook book;

  public RecipientResolver(AddressBook book) {
    this.book = book;
  }

  /** The resolver of an organization file's directory. */
  public RecipientResolver(Organization organization, Directory directory) {
    this(directory);
  }

  /** resolve - the recipients without DSN parameters (tests, benchmarks). */
  public ResolvedRecipients resolve(List<String> envelopeRecipients) {
    return resolveEnvelope(envelopeRecipients.stream().map(EnvelopeRecipient::of).toList());
  }

  /** resolveEnvelope - the deliverable recipients of one message and the tracking facts found on the way. */
  public ResolvedRecipients resolveEnvelope(List<EnvelopeRecipient> envelopeRecipients) {
    Walk walk = new Walk();
    for (EnvelopeRecipient recipient : envelopeRecipients) {
      walk.resolve(recipient.address(), new Branch(recipient.address(), null, null, recipient.orcpt(),
          recipient.dsnNotify(), null));
    }
    return new ResolvedRecipients(walk.deliverable, walk.events, walk.failed, walk.expanded);
  }

  /** What a recipient inherits from the way it was reached. */
  private record Branch(String envelopeAddress, String expandedFrom, String sender, String orcpt,
      List<Notify> dsnNotify, String forwardedFrom) {
    Branch expandedBy(DistributionGroup group, String reportsTo) {
      if (reportsTo == null) { // an alias: the originator keeps getting reports
        return new Branch(envelopeAddress, group.primarySmtpAddress(), sender, orcpt, Notify.withoutSuccess(dsnNotify),
            forwardedFrom);
      }
      return new Branch(envelopeAddress, group.primarySmtpAddress(), reportsTo, null, List.of(), forwardedFrom);
    }

    Branch forwardedBy(String mailbox) {
      return new Branch(envelopeAddress, expandedFrom, sender, orcpt, Notify.withoutSuccess(dsnNotify), mailbox);
    }
  }

  /** The state of resolving one message: each object is followed once, so loops end. */
  private final class Walk {
    final List<Resolution> deliverable = new ArrayList<>();
    final List<ResolutionEvent> events = new ArrayList<>();
    final List<FailedRecipient> failed = new ArrayList<>();
    final List<ExpandedGroup> expanded = new ArrayList<>();
    final Set<String> delivered = new HashSet<>();
    final Set<String> followed = new HashSet<>(); // groups expanded, contacts redirected
    final Set<String> forwarded = new HashSet<>(); // forwarding mailboxes done
    final Set<String> forwarding = new HashSet<>(); // forwarding mailboxes on the chain being resolved

    void resolve(String address, Branch branch) {
      Optional<AcceptedDomain> accepted = book.acceptedDomain(domainOf(address));
      boolean lookUp = accepted.isPresent() && accepted.get().type() != DomainType.ExternalRelay;
      Optional<DirectoryEntry> entry = lookUp ? book.find(address) : Optional.empty();

      if (entry.isEmpty()) {
        if (accepted.isPresent() && accepted.get().type() == DomainType.Authoritative) {
          events.add(new ResolutionEvent(ResolutionEventId.FAIL, List.of(address), List.of(RECIPIENT_NOT_FOUND),
              branch.expandedFrom()));
          failed.add(new FailedRecipient(address, branch.sender(), branch.orcpt(), branch.dsnNotify(),
              RECIPIENT_NOT_FOUND));
          return;
        }
        deliver(address, Resolution.Kind.EXTERNAL, null, branch);
        return;
      }
      if (entry.get() instanceof Mailbox mailbox) {
        mailbox(mailbox, address, branch);
      } else if (entry.get() instanceof DistributionGroup group) {
        expand(group, branch);
      } else if (entry.get() instanceof TargetAddressRecipient redirected) {
        if (!followed.add(key(redirected.primarySmtpAddress()))) {
          return; // already redirected in this message: the target is delivered once
        }
        String target = redirected.externalEmailAddress();
        events.add(new ResolutionEvent(ResolutionEventId.REDIRECT, List.of(target), List.of(), address));
        resolve(target, branch);
      }
    }

    private void mailbox(Mailbox mailbox, String address, Branch branch) {
      String primary = mailbox.primarySmtpAddress();
      if (!primary.equalsIgnoreCase(address)) {
        events.add(new ResolutionEvent(ResolutionEventId.RESOLVE, List.of(primary), List.of(), address));
      }
      Optional<String> target = mailbox.forwarding().target();
      String self = key(primary);
      if (target.isEmpty() || forwarding.contains(self)) { // no forwarding, or the chain came back: deliver here
        deliverMailbox(mailbox, branch);
        return;
      }
      if (!forwarded.add(self)) {
        return; // forwarded already in this message: its recipients are delivered once
      }
      boolean keepCopy = mailbox.forwarding().deliverToMailboxAndForward();
      if (keepCopy) {
        deliverMailbox(mailbox, branch);
      }
      events.add(new ResolutionEvent(ResolutionEventId.REDIRECT, List.of(target.get()), List.of(), primary));
      forwarding.add(self);
      resolve(target.get(), keepCopy ? branch.forwardedBy(primary) : branch);
      forwarding.remove(self);
    }

    private void deliverMailbox(Mailbox mailbox, Branch branch) {
      if (!deliver(mailbox.primarySmtpAddress(), Resolution.Kind.MAILBOX, mailbox.database(), branch)
          && branch.expandedFrom() != null) {
        events.add(new ResolutionEvent(ResolutionEventId.DUPLICATEEXPAND, List.of(mailbox.primarySmtpAddress()),
            List.of(), branch.expandedFrom()));
      }
    }

    private boolean deliver(String address, Resolution.Kind kind, String database, Branch branch) {
      if (!delivered.add(key(address))) {
        return false;
      }
      deliverable.add(new Resolution(address, branch.envelopeAddress(), kind, database, branch.expandedFrom(),
          branch.sender(), branch.orcpt(), branch.dsnNotify(), branch.forwardedFrom()));
      return true;
    }

    private void expand(DistributionGroup group, Branch branch) {
      String groupAddress = group.primarySmtpAddress();
      if (!followed.add(key(groupAddress))) {
        return; // already expanded in this message: a nested loop or the group named twice
      }
      events.add(new ResolutionEvent(ResolutionEventId.EXPAND, group.members(), List.of(), groupAddress));
      if (branch.dsnNotify().contains(Notify.SUCCESS)) { // RFC 3461 6.2.7.3: the group answers SUCCESS itself
        expanded.add(new ExpandedGroup(groupAddress, branch.sender(), branch.orcpt(), branch.dsnNotify()));
      }
      Branch members = branch.expandedBy(group, reportsTo(group));
      for (String member : group.members()) {
        resolve(member, members);
      }
    }
  }

  /** The envelope sender for a group's members: the manager's primary address, "" for nobody, null unchanged. */
  private String reportsTo(DistributionGroup group) {
    String reportsTo = group.reportsTo();
    if (reportsTo == null || reportsTo.isEmpty()) {
      return reportsTo;
    }
    return book.find(reportsTo).map(DirectoryEntry::primarySmtpAddress).orElse(reportsTo);
  }

  private static String domainOf(String address) {
    int at = address.lastIndexOf('@');
    return at < 0 ? "" : address.substring(at + 1).toLowerCase(Locale.ROOT);
  }

  private static String key(String address) {
    // Local parts are case-sensitive by RFC 5321, but no directory treats them so: Exchange does not.
    return address.toLowerCase(Locale.ROOT);
  }
}
