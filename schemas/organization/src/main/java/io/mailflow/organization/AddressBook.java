package io.mailflow.organization;

import java.util.List;
import java.util.Optional;

/**
 * AddressBook - the recipient lookups the categorizer makes: an address to its directory object, a
 * domain to its accepted domain, an object to the groups it is a member of. {@link Directory} answers
 * them from the organization file; an LDAP/Active Directory source would implement the same interface.
 * Implementations compare addresses without case and are safe to share between threads.
 */
public interface AddressBook {
  /** The mailbox, group, contact or mail user with this primary or proxy address; empty if unknown or malformed. */
  Optional<DirectoryEntry> find(String address);

  /** The accepted domain covering {@code domain} (exact name first, then the longest wildcard). */
  Optional<AcceptedDomain> acceptedDomain(String domain);

  /** The groups naming {@code entry} directly among their members (not the groups above those). */
  List<DistributionGroup> memberOf(DirectoryEntry entry);
}
