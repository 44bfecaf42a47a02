package io.mailflow.categorizer;

import io.mailflow.organization.AcceptedDomain;
import io.mailflow.organization.AcceptedDomain.DomainType;
import io.mailflow.organization.Directory;
import io.mailflow.organization.DirectoryEntry;
import io.mailflow.organization.DistributionGroup;
import io.mailflow.organization.Mailbox;
import io.mailflow.organization.Organization;
import io.mailflow.organization.TargetAddressRecipient;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
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
 * <p>Pure: reads only the organization model.
 */
public final class RecipientResolver {
  /** The NDR status Exchange's categorizer gives an unknown recipient in an authoritative domain. */
  public static final String RECIPIENT_NOT_FOUND =
      "550 5.1.1 RESOLVER.ADR.ExRecipNotFound; not found";

  private final Organization organization;
  private final Directory directory;

  public RecipientResolver(Organization organization, Directory directory) {
    this.organization = organization;
    this.directory = directory;
  }

  /** resolve - the deliverable recipients of one message and the tracking facts found on the way. */
  public ResolvedRecipients resolve(List<String> envelopeRecipients) {
    List<Resolution> deliverable = new ArrayList<>();
    List<ResolutionEvent> events = new ArrayList<>();
    Set<String> delivered = new LinkedHashSet<>();
    // Groups expanded and contacts redirected in this message: each is followed once, so loops end.
    Set<String> followed = new LinkedHashSet<>();
    for (String recipient : envelopeRecipients) {
      resolveOne(recipient, recipient, null, deliverable, events, delivered, followed);
    }
    return new ResolvedRecipients(deliverable, events);
  }

  private void resolveOne(String address, String envelopeAddress, String expandedFrom, List<Resolution> deliverable,
      List<ResolutionEvent> events, Set<String> delivered, Set<String> followed) {
    String domain = domainOf(address);
    Optional<AcceptedDomain> accepted = organization.acceptedDomainFor(domain);
    boolean lookUp = accepted.isPresent() && accepted.get().type() != DomainType.ExternalRelay;
    Optional<DirectoryEntry> entry = lookUp ? directory.find(address) : Optional.empty();

    if (entry.isEmpty()) {
      if (accepted.isPresent() && accepted.get().type() == DomainType.Authoritative) {
        events.add(new ResolutionEvent("FAIL", List.of(address), List.of(RECIPIENT_NOT_FOUND), expandedFrom));
        return;
      }
      if (delivered.add(key(address))) {
        deliverable.add(new Resolution(address, envelopeAddress, Resolution.Kind.EXTERNAL, null, expandedFrom));
      }
      return;
    }

    if (entry.get() instanceof Mailbox mailbox) {
        String primary = mailbox.primarySmtpAddress();
        if (!primary.equalsIgnoreCase(address)) {
          events.add(new ResolutionEvent("RESOLVE", List.of(primary), List.of(), address));
        }
        if (delivered.add(key(primary))) {
          deliverable.add(new Resolution(primary, envelopeAddress, Resolution.Kind.MAILBOX,
              mailbox.database(), expandedFrom));
        } else if (expandedFrom != null) {
          events.add(new ResolutionEvent("DUPLICATEEXPAND", List.of(primary), List.of(), expandedFrom));
        }
    } else if (entry.get() instanceof DistributionGroup group) {
      expand(group, envelopeAddress, deliverable, events, delivered, followed);
    } else if (entry.get() instanceof TargetAddressRecipient redirected) {
      if (!followed.add(key(redirected.primarySmtpAddress()))) {
        return; // already redirected in this message: the target is delivered once
      }
      String target = redirected.externalEmailAddress();
      events.add(new ResolutionEvent("REDIRECT", List.of(target), List.of(), address));
      resolveOne(target, envelopeAddress, expandedFrom, deliverable, events, delivered, followed);
    }
  }

  private void expand(DistributionGroup group, String envelopeAddress, List<Resolution> deliverable,
      List<ResolutionEvent> events, Set<String> delivered, Set<String> followed) {
    String groupAddress = group.primarySmtpAddress();
    if (!followed.add(key(groupAddress))) {
      return; // already expanded in this message: a nested loop or the group named twice
    }
    Deque<String> members = new ArrayDeque<>(group.members());
    List<String> expandedTo = new ArrayList<>(members);
    events.add(new ResolutionEvent("EXPAND", expandedTo, List.of(), groupAddress));
    while (!members.isEmpty()) {
      resolveOne(members.removeFirst(), envelopeAddress, groupAddress, deliverable, events, delivered, followed);
    }
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
