package io.mailflow.edge.server;

import io.mailflow.organization.Directory;
import io.mailflow.organization.DirectoryEntry;
import io.mailflow.organization.DistributionGroup;
import io.mailflow.organization.ExtendedRight;
import io.mailflow.organization.Mailbox;
import io.mailflow.organization.ReceiveConnector;
import io.mailflow.organization.ReceiveConnector.Permission;
import io.mailflow.organization.ReceiveConnector.PermissionGroup;
import io.mailflow.organization.SmtpAddress;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * SessionRights - the extended rights a session holds on a receive connector, as Exchange computes
 * them: the rights of the permission groups whose principal the session is (AnonymousUsers before
 * AUTH, ExchangeUsers after), plus the connector's explicit grants to that principal, the mailbox or
 * a group it is a member of; a denial removes a right whatever grants it.
 *
 * <p>ExchangeServers and Partners need server authentication (Exchange's Kerberos or mutual TLS),
 * which mailflow does not have: no session holds their rights. Immutable answers, cached per identity;
 * safe to share between event loops.
 */
final class SessionRights {
  private final ReceiveConnector connector;
  private final Directory directory;
  private final Set<ExtendedRight> anonymous;
  private final Map<String, Set<ExtendedRight>> byUser = new ConcurrentHashMap<>();

  SessionRights(ReceiveConnector connector, Directory directory) {
    this.connector = connector;
    this.directory = directory;
    this.anonymous = compute(null);
  }

  /** The rights of an anonymous session ({@code identity} null) or of one authenticated as {@code identity}. */
  Set<ExtendedRight> of(String identity) {
    if (identity == null) {
      return anonymous;
    }
    return byUser.computeIfAbsent(identity.toLowerCase(Locale.ROOT), this::compute);
  }

  /** Exchange's words for the protocol log's "Set Session Permissions" line, e.g. {@code SMTPSubmit SMTPAcceptAnySender}. */
  static String describe(Set<ExtendedRight> rights) {
    return rights.isEmpty() ? "None" : rights.stream().sorted().map(ExtendedRight::sessionPermission)
        .collect(Collectors.joining(" "));
  }

  private Set<ExtendedRight> compute(String identity) {
    Set<ExtendedRight> rights = EnumSet.noneOf(ExtendedRight.class);
    Set<ExtendedRight> denied = EnumSet.noneOf(ExtendedRight.class);
    PermissionGroup principal = identity == null ? PermissionGroup.AnonymousUsers : PermissionGroup.ExchangeUsers;
    if (connector.permissionGroups().contains(principal)) {
      rights.addAll(principal.rights());
    }
    Set<String> memberships = identity == null ? Set.of() : memberships(identity);
    for (Permission permission : connector.permissions()) {
      boolean applies = identity == null ? permission.forAnonymous()
          : permission.forAuthenticatedUsers() || SmtpAddress.tryParse(permission.user())
              .map(a -> memberships.contains(a.normalized())).orElse(false);
      if (applies) {
        (permission.deny() ? denied : rights).addAll(permission.extendedRights());
      }
    }
    rights.removeAll(denied);
    return Set.copyOf(rights);
  }

  /** Every address that stands for the user: the mailbox's own and those of the groups holding it (nested). */
  private Set<String> memberships(String identity) {
    Set<String> addresses = new HashSet<>();
    Optional<Mailbox> mailbox = directory.findMailbox(identity);
    if (mailbox.isEmpty()) {
      return addresses;
    }
    Set<DirectoryEntry> members = new HashSet<>();
    Deque<DirectoryEntry> todo = new ArrayDeque<>();
    todo.add(mailbox.get());
    while (!todo.isEmpty()) {
      DirectoryEntry entry = todo.poll();
      if (!members.add(entry)) {
        continue; // nested groups may loop
      }
      for (String address : entry.smtpAddresses()) {
        SmtpAddress.tryParse(address).ifPresent(a -> addresses.add(a.normalized()));
      }
      for (DirectoryEntry group : directory.entries()) {
        if (group instanceof DistributionGroup g && !members.contains(g) && isMember(g, entry)) {
          todo.add(g);
        }
      }
    }
    return addresses;
  }

  private boolean isMember(DistributionGroup group, DirectoryEntry entry) {
    for (String member : group.members()) {
      Optional<DirectoryEntry> found = directory.find(member);
      if (found.isPresent() && found.get().equals(entry)) {
        return true;
      }
    }
    return false;
  }
}
