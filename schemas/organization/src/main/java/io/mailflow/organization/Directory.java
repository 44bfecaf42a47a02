package io.mailflow.organization;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Directory - the organization's address book: which addresses are mailboxes, groups, mail contacts or
 * mail users, and which domains are accepted. The edge asks whether a recipient is known; the categorizer resolves and
 * expands.
 *
 * <p>Addresses compare without regard to case (as in Exchange); every primary and proxy address is a
 * key. Built once per loaded {@link Organization}; immutable and safe to share between threads.
 */
public final class Directory implements AddressBook {

  /** Where an address belongs, as far as accepting and resolving it goes. */
  public enum RecipientScope {
    /** A mailbox or group of this organization. */
    LOCAL,
    /** In an Authoritative domain but no such recipient: reject (550 5.1.10 / 5.1.1). */
    UNKNOWN_LOCAL,
    /** In an InternalRelay domain, not in the directory: relay to the other system sharing the namespace. */
    INTERNAL_RELAY,
    /** In an ExternalRelay domain: accept and relay out. */
    EXTERNAL_RELAY,
    /** Not an accepted domain: relaying it needs permission (else 550 5.7.54). */
    EXTERNAL
  }

  private final Organization organization;
  private final Map<String, DirectoryEntry> byAddress;
  private volatile Map<DirectoryEntry, List<DistributionGroup>> memberOf; // built on first use: the edge never asks

  private Directory(Organization organization, Map<String, DirectoryEntry> byAddress) {
    this.organization = organization;
    this.byAddress = byAddress;
  }

  /** The directory of a loaded (validated) organization: its addresses are unique. */
  public static Directory of(Organization organization) {
    Map<String, DirectoryEntry> byAddress = new HashMap<>();
    index(organization.mailboxes(), byAddress);
    index(organization.groups(), byAddress);
    index(organization.contacts(), byAddress);
    index(organization.mailUsers(), byAddress);
    return new Directory(organization, Map.copyOf(byAddress));
  }

  private static void index(Collection<? extends DirectoryEntry> entries, Map<String, DirectoryEntry> byAddress) {
    for (DirectoryEntry entry : entries) {
      for (String address : entry.smtpAddresses()) {
        SmtpAddress.tryParse(address).ifPresent(a -> byAddress.putIfAbsent(a.normalized(), entry));
      }
    }
  }

  public Organization organization() {
    return organization;
  }

  /** The mailbox or group with this primary or proxy address (any case); empty for unknown or malformed. */
  @Override
  public Optional<DirectoryEntry> find(String address) {
    return SmtpAddress.tryParse(address).flatMap(this::find);
  }

  public Optional<DirectoryEntry> find(SmtpAddress address) {
    return Optional.ofNullable(byAddress.get(address.normalized()));
  }

  public Optional<Mailbox> findMailbox(String address) {
    return find(address).filter(Mailbox.class::isInstance).map(Mailbox.class::cast);
  }

  public Optional<DistributionGroup> findGroup(String address) {
    return find(address).filter(DistributionGroup.class::isInstance).map(DistributionGroup.class::cast);
  }

  /** The accepted domain covering {@code domain} (exact name first, then the longest wildcard). */
  @Override
  public Optional<AcceptedDomain> acceptedDomain(String domain) {
    return organization.acceptedDomainFor(domain);
  }

  @Override
  public List<DistributionGroup> memberOf(DirectoryEntry entry) {
    Map<DirectoryEntry, List<DistributionGroup>> index = memberOf;
    if (index == null) {
      Map<DirectoryEntry, List<DistributionGroup>> built = new HashMap<>();
      for (DistributionGroup group : organization.groups()) {
        for (String member : group.members()) {
          find(member).ifPresent(e -> {
            List<DistributionGroup> groups = built.computeIfAbsent(e, k -> new java.util.ArrayList<>());
            if (!groups.contains(group)) {
              groups.add(group);
            }
          });
        }
      }
      built.replaceAll((k, v) -> List.copyOf(v));
      index = Map.copyOf(built);
      memberOf = index;
    }
    return index.getOrDefault(entry, List.of());
  }

  /** Whether mail for the domain is accepted at all (any accepted-domain type, wildcards included). */
  public boolean isAccepted(String domain) {
    return acceptedDomain(domain).isPresent();
  }

  /** Whether the organization alone holds the domain's recipients (unknown ones are rejected). */
  public boolean isAuthoritative(String domain) {
    return acceptedDomain(domain).map(d -> d.type() == AcceptedDomain.DomainType.Authoritative).orElse(false);
  }

  /** Where the address belongs. */
  public RecipientScope scope(SmtpAddress address) {
    if (find(address).isPresent()) {
      return RecipientScope.LOCAL;
    }
    return acceptedDomain(address.domainLower()).map(d -> switch (d.type()) {
      case Authoritative -> RecipientScope.UNKNOWN_LOCAL;
      case InternalRelay -> RecipientScope.INTERNAL_RELAY;
      case ExternalRelay -> RecipientScope.EXTERNAL_RELAY;
    }).orElse(RecipientScope.EXTERNAL);
  }

  /**
   * Where the address belongs.
   *
   * @throws IllegalArgumentException when the address is malformed (the message says why)
   */
  public RecipientScope scope(String address) {
    return scope(SmtpAddress.parse(address));
  }

  /** Every directory object in file order: mailboxes, groups, mail contacts, then mail users. */
  public List<DirectoryEntry> entries() {
    return Stream.of(organization.mailboxes(), organization.groups(), organization.contacts(),
            organization.mailUsers())
        .flatMap(List::stream).map(DirectoryEntry.class::cast).toList();
  }
}
