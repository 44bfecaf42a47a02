package io.mailflow.organization;

import io.mailflow.organization.ReceiveConnector.Permission;
import io.mailflow.organization.ReceiveConnector.PermissionGroup;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * ConnectorRights - the extended rights a principal holds on one receive connector, as Exchange computes
 * them: the rights of the permission group the principal belongs to (if the connector has that group),
 * plus the connector's explicit grants to the principal, its mailbox or a group holding it (nested);
 * {@code NT AUTHORITY\Authenticated Users} grants reach every authenticated principal, servers and partners
 * too, as in Windows. A denial removes a right whatever grants it.
 *
 * <p>One rule for every stage that asks: the edge when a session connects or authenticates, the
 * categorizer when it re-checks a header sender. Answers are immutable and cached per identity; safe to
 * share between threads.
 */
public final class ConnectorRights {
  private final ReceiveConnector connector;
  private final AddressBook book;
  private final Set<ExtendedRight> anonymous;
  private final Map<String, Set<ExtendedRight>> byUser = new ConcurrentHashMap<>();
  private final Map<PermissionGroup, Set<ExtendedRight>> byGroup = new ConcurrentHashMap<>();

  public ConnectorRights(ReceiveConnector connector, AddressBook book) {
    this.connector = connector;
    this.book = book;
    this.anonymous = compute(PermissionGroup.AnonymousUsers, null);
  }

  public ReceiveConnector connector() {
    return connector;
  }

  /** The rights of a session that has not authenticated. */
  public Set<ExtendedRight> anonymous() {
    return anonymous;
  }

  /** The rights of a user authenticated as {@code identity} (any address of its mailbox, any case). */
  public Set<ExtendedRight> ofUser(String identity) {
    return byUser.computeIfAbsent(identity.toLowerCase(Locale.ROOT),
        id -> compute(PermissionGroup.ExchangeUsers, id));
  }

  /** The rights of an authenticated principal that is not a mailbox: a server or a partner. */
  public Set<ExtendedRight> ofGroup(PermissionGroup group) {
    return byGroup.computeIfAbsent(group, g -> compute(g, null));
  }

  private Set<ExtendedRight> compute(PermissionGroup group, String identity) {
    Set<ExtendedRight> rights = EnumSet.noneOf(ExtendedRight.class);
    Set<ExtendedRight> denied = EnumSet.noneOf(ExtendedRight.class);
    if (connector.permissionGroups().contains(group)) {
      rights.addAll(group.rights());
    }
    boolean isAnonymous = group == PermissionGroup.AnonymousUsers;
    Set<String> principals = identity == null ? Set.of() : principals(identity);
    for (Permission permission : connector.permissions()) {
      boolean applies = isAnonymous ? permission.forAnonymous()
          : permission.forAuthenticatedUsers() || SmtpAddress.tryParse(permission.user())
              .map(a -> principals.contains(a.normalized())).orElse(false);
      if (applies) {
        (permission.deny() ? denied : rights).addAll(permission.extendedRights());
      }
    }
    rights.removeAll(denied);
    return Set.copyOf(rights);
  }

  /** Every address that stands for the user: its mailbox's own and those of the groups holding it, nested. */
  private Set<String> principals(String identity) {
    Set<String> addresses = new HashSet<>();
    Set<DirectoryEntry> seen = new HashSet<>();
    Deque<DirectoryEntry> todo = new ArrayDeque<>();
    book.find(identity).filter(Mailbox.class::isInstance).ifPresent(todo::add);
    while (!todo.isEmpty()) {
      DirectoryEntry entry = todo.poll();
      if (!seen.add(entry)) {
        continue; // nested groups may loop
      }
      for (String address : entry.smtpAddresses()) {
        SmtpAddress.tryParse(address).ifPresent(a -> addresses.add(a.normalized()));
      }
      todo.addAll(book.memberOf(entry));
    }
    return addresses;
  }
}
