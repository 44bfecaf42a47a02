package io.mailflow.organization;

import io.mailflow.organization.AcceptedDomain.DomainType;
import io.mailflow.organization.ReceiveConnector.Binding;
import io.mailflow.organization.SendConnector.AddressSpace;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * OrganizationValidator - the checks that span objects: unique names and addresses, references that
 * must resolve (databases, servers, sites, group members), and this node's own server and site.
 *
 * <p>Runs on the records {@link OrganizationReader} built, addressing problems by path. Values the reader
 * already reported as malformed or missing (blank) are skipped here, so each mistake is told once.
 * Sections the reader filled in itself are consistent by construction and not checked.
 */
final class OrganizationValidator {
  private static final int NAMES_LISTED = 10;

  private final Organization org;
  private final Set<String> implied;
  private final ConfigErrors errors;

  OrganizationValidator(Organization org, Set<String> implied, ConfigErrors errors) {
    this.org = org;
    this.implied = implied;
    this.errors = errors;
  }

  void validate() {
    acceptedDomains();
    receiveConnectors();
    sendConnectors();
    topology();
    recipients();
    grants();
    transportService();
  }

  // ---- transport service (this node's protocol log) ---------------------------------------------

  /** Exchange refuses a file size above the directory size; a log directory that is a file cannot work. */
  private void transportService() {
    TransportService service = org.transportService();
    if (service.receiveProtocolLogMaxFileSize() > service.receiveProtocolLogMaxDirectorySize()) {
      errors.add("transportService.receiveProtocolLogMaxFileSize", "receiveProtocolLogMaxFileSize ("
          + service.receiveProtocolLogMaxFileSize() + " bytes) must not exceed receiveProtocolLogMaxDirectorySize ("
          + service.receiveProtocolLogMaxDirectorySize() + " bytes)");
    }
    java.nio.file.Path path = service.receiveProtocolLogPath();
    if (path != null && path.isAbsolute() && java.nio.file.Files.exists(path)
        && !java.nio.file.Files.isDirectory(path)) {
      errors.add("transportService.receiveProtocolLogPath", path + " exists and is not a directory");
    }
    if (service.maxPerDomainOutboundConnections() > service.maxOutboundConnections()) {
      errors.add("transportService.maxPerDomainOutboundConnections", "maxPerDomainOutboundConnections ("
          + service.maxPerDomainOutboundConnections() + ") must not exceed maxOutboundConnections ("
          + service.maxOutboundConnections() + ")");
    }
    // A retry interval at least as long as the expiration would expire the message before it is retried.
    retryIntervalBelowExpiration(service, "transientFailureRetryInterval", service.transientFailureRetryInterval());
    retryIntervalBelowExpiration(service, "outboundConnectionFailureRetryInterval",
        service.outboundConnectionFailureRetryInterval());
    retryIntervalBelowExpiration(service, "messageRetryInterval", service.messageRetryInterval());
  }

  /** Names the interval's line if the file sets it, else the expiration's (the default interval did not move). */
  private void retryIntervalBelowExpiration(TransportService service, String key, java.time.Duration interval) {
    if (interval.compareTo(service.messageExpirationTimeout()) >= 0) {
      String path = errors.written("transportService." + key) ? "transportService." + key
          : "transportService.messageExpirationTimeout";
      errors.add(path, key + " (" + timeSpan(interval) + (errors.written("transportService." + key) ? "" : ", the default")
          + ") must be shorter than messageExpirationTimeout (" + timeSpan(service.messageExpirationTimeout())
          + "): the message would expire before it is retried");
    }
  }

  /** Exchange's time-span notation, [d.]hh:mm:ss, as the keys are written. */
  private static String timeSpan(java.time.Duration d) {
    long s = d.toSeconds();
    String hms = String.format(java.util.Locale.ROOT, "%02d:%02d:%02d", s / 3600 % 24, s / 60 % 60, s % 60);
    return s >= 86400 ? (s / 86400) + "." + hms : hms;
  }

  // ---- extended rights and Send As (who a grant names must exist) ---------------------------------

  private void grants() {
    Set<String> known = new java.util.HashSet<>();
    for (DirectoryEntry entry : Directory.of(org).entries()) {
      for (String address : entry.smtpAddresses()) {
        SmtpAddress.tryParse(address).ifPresent(a -> known.add(a.normalized()));
      }
    }
    for (int c = 0; c < org.receiveConnectors().size(); c++) {
      List<ReceiveConnector.Permission> permissions = org.receiveConnectors().get(c).permissions();
      for (int p = 0; p < permissions.size(); p++) {
        ReceiveConnector.Permission permission = permissions.get(p);
        Optional<SmtpAddress> user = SmtpAddress.tryParse(permission.user());
        if (user.isPresent() && !known.contains(user.get().normalized())) {
          errors.add("receiveConnectors[" + c + "].permissions[" + p + "].user",
              "no mailbox or group has the address " + permission.user());
        }
      }
    }
    for (int i = 0; i < org.mailboxes().size(); i++) {
      List<String> sendAs = org.mailboxes().get(i).sendAs();
      for (int s = 0; s < sendAs.size(); s++) {
        Optional<SmtpAddress> target = SmtpAddress.tryParse(sendAs.get(s));
        if (target.isPresent() && !known.contains(target.get().normalized())) {
          errors.add("mailboxes[" + i + "].sendAs[" + s + "]", "no mailbox or group has the address " + sendAs.get(s)
              + " (Send As is granted on recipients of this organization)");
        }
      }
    }
  }

  // ---- accepted domains --------------------------------------------------------------------------

  private void acceptedDomains() {
    List<AcceptedDomain> domains = org.acceptedDomains();
    if (domains.isEmpty()) {
      return; // reported by the reader
    }
    unique("acceptedDomains", domains, AcceptedDomain::domainName, "");
    int firstDefault = -1;
    for (int i = 0; i < domains.size(); i++) {
      if (domains.get(i).isDefault()) {
        if (firstDefault >= 0) {
          errors.add("acceptedDomains[" + i + "]", "only one accepted domain can be the default; acceptedDomains["
              + firstDefault + "] already is");
        } else {
          firstDefault = i;
        }
      }
    }
    AcceptedDomain effective = org.defaultDomain();
    if (effective.domainName().startsWith("*")) {
      errors.add("acceptedDomains[" + Math.max(firstDefault, 0) + "]", "the default domain cannot be a wildcard"
          + (firstDefault < 0 ? " (none is marked default, so the first is); mark another one default: true" : ""));
    }
  }

  // ---- connectors --------------------------------------------------------------------------------

  private void receiveConnectors() {
    List<ReceiveConnector> connectors = org.receiveConnectors();
    unique("receiveConnectors", connectors, ReceiveConnector::name, ".name");
    // Exchange needs each (binding, remote IP range) pair on one connector only: else which one applies?
    for (int j = 0; j < connectors.size(); j++) {
      ReceiveConnector later = connectors.get(j);
      for (int i = 0; i < j; i++) {
        ReceiveConnector earlier = connectors.get(i);
        Optional<Binding> shared = later.bindings().stream()
            .filter(b -> earlier.bindings().stream().anyMatch(e -> sameBinding(e, b))).findFirst();
        if (shared.isEmpty()) {
          continue;
        }
        List<IpRange> earlierRanges = parsedRanges(earlier);
        Optional<IpRange> sharedRange = parsedRanges(later).stream().filter(earlierRanges::contains).findFirst();
        if (sharedRange.isPresent()) {
          errors.add("receiveConnectors[" + j + "]", "binding " + shared.get() + " with remote IP range "
              + sharedRange.get() + " is already receiveConnectors[" + i + "] ('" + earlier.name()
              + "'); give one of them other bindings or remoteIpRanges");
          continue;
        }
        // the most specific range picks the connector: two ranges that cross leave some addresses to neither rule
        for (IpRange mine : parsedRanges(later)) {
          Optional<IpRange> crossing = earlierRanges.stream()
              .filter(r -> r.overlaps(mine) && !r.encloses(mine) && !mine.encloses(r)).findFirst();
          if (crossing.isPresent()) {
            errors.add("receiveConnectors[" + j + "]", "remote IP range " + mine + " of '" + later.name()
                + "' overlaps range " + crossing.get() + " of '" + earlier.name() + "' (receiveConnectors[" + i
                + "]) on binding " + shared.get() + " without either containing the other; make one range "
                + "contain the other or keep them apart");
            break;
          }
        }
      }
    }
  }

  private static boolean sameBinding(Binding a, Binding b) {
    return a.port() == b.port() && IpRange.parseAddress(a.address()).equals(IpRange.parseAddress(b.address()));
  }

  private static List<IpRange> parsedRanges(ReceiveConnector connector) {
    List<IpRange> ranges = new ArrayList<>();
    for (String text : connector.remoteIpRanges()) {
      try {
        ranges.add(IpRange.parse(text));
      } catch (IllegalArgumentException e) {
        // reported by the reader
      }
    }
    return ranges;
  }

  private void sendConnectors() {
    List<SendConnector> connectors = org.sendConnectors();
    unique("sendConnectors", connectors, SendConnector::name, ".name");
    for (int i = 0; i < connectors.size(); i++) {
      SendConnector connector = connectors.get(i);
      String path = "sendConnectors[" + i + "]";
      unique(path + ".addressSpaces", connector.addressSpaces(), AddressSpace::domain, "");
      List<String> sources = connector.sourceTransportServers();
      for (int s = 0; s < sources.size(); s++) {
        reference(path + ".sourceTransportServers[" + s + "]", sources.get(s), "server", org.servers(), Server::name);
      }
      unique(path + ".sourceTransportServers", sources, Function.identity(), "");
    }
  }

  // ---- sites, servers, databases -----------------------------------------------------------------

  private void topology() {
    if (!implied.contains("sites")) {
      unique("sites", org.sites(), Site::name, ".name");
    }
    for (int i = 0; i < org.siteLinks().size(); i++) {
      SiteLink link = org.siteLinks().get(i);
      for (int s = 0; s < link.sites().size(); s++) {
        reference("siteLinks[" + i + "].sites[" + s + "]", link.sites().get(s), "site", org.sites(), Site::name);
      }
      unique("siteLinks[" + i + "].sites", link.sites(), Function.identity(), "");
    }
    unique("siteLinks", org.siteLinks(), SiteLink::name, ".name");

    if (!implied.contains("servers")) {
      unique("servers", org.servers(), Server::name, ".name");
      for (int i = 0; i < org.servers().size(); i++) {
        reference("servers[" + i + "].site", org.servers().get(i).site(), "site", org.sites(), Site::name);
      }
    }
    if (!implied.contains("databases")) {
      unique("databases", org.databases(), MailboxDatabase::name, ".name");
      for (int i = 0; i < org.databases().size(); i++) {
        MailboxDatabase db = org.databases().get(i);
        String path = "databases[" + i + "]";
        for (int c = 0; c < db.copies().size(); c++) {
          reference(path + ".copies[" + c + "]", db.copies().get(c), "server", org.servers(), Server::name);
        }
        unique(path + ".copies", db.copies(), Function.identity(), "");
        if (!db.activeServer().isBlank() && db.copies().stream().noneMatch(db.activeServer()::equalsIgnoreCase)) {
          errors.add(path + ".activeServer", "'" + db.activeServer() + "' holds no copy of " + db.name()
              + " (copies: " + String.join(", ", db.copies()) + ")");
        }
      }
    }

    // This node: the server it runs as must exist, in the site it says it is in.
    if (!org.serverName().isBlank()) {
      reference("serverName", org.serverName(), "server", org.servers(), Server::name);
    }
    reference("siteName", org.siteName(), "site", org.sites(), Site::name);
    org.server(org.serverName()).ifPresent(server -> {
      if (!server.site().equalsIgnoreCase(org.siteName()) && !server.site().isBlank()) {
        errors.add("siteName", "this node's server " + server.name() + " is in site '" + server.site()
            + "', not '" + org.siteName() + "'");
      }
    });
  }

  // ---- mailboxes and groups ----------------------------------------------------------------------

  private record Owner(String path, DirectoryEntry entry) {}

  private void recipients() {
    Map<String, String> names = new HashMap<>();
    Map<String, Owner> addresses = new LinkedHashMap<>();
    for (int i = 0; i < org.mailboxes().size(); i++) {
      Mailbox mailbox = org.mailboxes().get(i);
      String path = "mailboxes[" + i + "]";
      recipientName(names, path, mailbox);
      claim(addresses, path + ".primarySmtpAddress", mailbox.primarySmtpAddress(), mailbox);
      for (int p = 0; p < mailbox.proxyAddresses().size(); p++) {
        claim(addresses, path + ".proxyAddresses[" + p + "]", mailbox.proxyAddresses().get(p), mailbox);
      }
      if (org.databases().isEmpty()) {
        errors.add(path + ".database", "no database to put the mailbox in: databases is empty");
      } else if (!mailbox.database().isBlank()) {
        reference(path + ".database", mailbox.database(), "database", org.databases(), MailboxDatabase::name);
      }
    }
    for (int i = 0; i < org.groups().size(); i++) {
      DistributionGroup group = org.groups().get(i);
      String path = "groups[" + i + "]";
      recipientName(names, path, group);
      claim(addresses, path + ".primarySmtpAddress", group.primarySmtpAddress(), group);
    }
    List<TargetAddressRecipient> redirected = new ArrayList<>();
    List<String> redirectedPaths = new ArrayList<>();
    for (int i = 0; i < org.contacts().size(); i++) {
      redirected.add(org.contacts().get(i));
      redirectedPaths.add("contacts[" + i + "]");
    }
    for (int i = 0; i < org.mailUsers().size(); i++) {
      redirected.add(org.mailUsers().get(i));
      redirectedPaths.add("mailUsers[" + i + "]");
    }
    for (int i = 0; i < redirected.size(); i++) {
      recipientName(names, redirectedPaths.get(i), redirected.get(i));
      claim(addresses, redirectedPaths.get(i) + ".primarySmtpAddress", redirected.get(i).primarySmtpAddress(),
          redirected.get(i));
    }
    for (int i = 0; i < redirected.size(); i++) {
      targetAddress(addresses, redirectedPaths.get(i) + ".externalEmailAddress", redirected.get(i));
    }
    for (int i = 0; i < org.groups().size(); i++) {
      DistributionGroup group = org.groups().get(i);
      Map<String, Integer> seen = new HashMap<>();
      for (int m = 0; m < group.members().size(); m++) {
        String path = "groups[" + i + "].members[" + m + "]";
        Optional<SmtpAddress> member = SmtpAddress.tryParse(group.members().get(m));
        if (member.isEmpty()) {
          continue; // reported by the reader
        }
        Integer earlier = seen.putIfAbsent(member.get().normalized(), m);
        if (earlier != null) {
          errors.add(path, member.get() + " is already members[" + earlier + "]");
          continue;
        }
        Optional<AcceptedDomain> domain = org.acceptedDomainFor(member.get().domainLower());
        if (domain.isPresent() && domain.get().type() == DomainType.Authoritative
            && !addresses.containsKey(member.get().normalized())) {
          errors.add(path, "no mailbox or group has the address " + member.get() + " (" + domain.get().domainName()
              + " is authoritative, so mail to it would bounce)");
        }
      }
    }
    forwarding(addresses);
    groupReports(addresses);
  }

  /**
   * ForwardingAddress names a recipient of this organization (Exchange takes a recipient identity);
   * ForwardingSmtpAddress may be any address but one in an authoritative domain that nobody has, which
   * would bounce. Neither may be the mailbox itself. Chains between mailboxes are allowed: the categorizer
   * stops a forwarding loop where it closes.
   */
  private void forwarding(Map<String, Owner> addresses) {
    for (int i = 0; i < org.mailboxes().size(); i++) {
      Mailbox mailbox = org.mailboxes().get(i);
      Mailbox.Forwarding forwarding = mailbox.forwarding();
      String path = "mailboxes[" + i + "]";
      if (forwarding.forwardingAddress() != null) {
        Optional<SmtpAddress> target = SmtpAddress.tryParse(forwarding.forwardingAddress());
        Owner owner = target.map(t -> addresses.get(t.normalized())).orElse(null);
        if (target.isPresent() && owner == null) {
          errors.add(path + ".forwardingAddress", "no recipient of this organization has the address "
              + forwarding.forwardingAddress() + " (use forwardingSmtpAddress for any other address)");
        } else if (owner != null && owner.entry() == mailbox) {
          errors.add(path + ".forwardingAddress", "is the mailbox's own address: mail would loop");
        }
      }
      if (forwarding.forwardingSmtpAddress() != null) {
        Optional<SmtpAddress> target = SmtpAddress.tryParse(forwarding.forwardingSmtpAddress());
        Owner owner = target.map(t -> addresses.get(t.normalized())).orElse(null);
        Optional<AcceptedDomain> domain = target.flatMap(t -> org.acceptedDomainFor(t.domainLower()));
        if (owner != null && owner.entry() == mailbox) {
          errors.add(path + ".forwardingSmtpAddress", "is the mailbox's own address: mail would loop");
        } else if (target.isPresent() && owner == null && domain.isPresent()
            && domain.get().type() == DomainType.Authoritative) {
          errors.add(path + ".forwardingSmtpAddress", "no recipient has the address " + target.get() + " ("
              + domain.get().domainName() + " is authoritative, so mail to it would bounce)");
        }
      }
    }
  }

  /**
   * Reports go to the originator or to the manager: Exchange advises exactly one of the two; both on is
   * refused here (which one wins is not defined), and the manager must be a mailbox of the group's owners.
   */
  private void groupReports(Map<String, Owner> addresses) {
    for (int i = 0; i < org.groups().size(); i++) {
      DistributionGroup group = org.groups().get(i);
      String path = "groups[" + i + "]";
      for (int o = 0; o < group.managedBy().size(); o++) {
        Optional<SmtpAddress> owner = SmtpAddress.tryParse(group.managedBy().get(o));
        Owner found = owner.map(a -> addresses.get(a.normalized())).orElse(null);
        if (owner.isPresent() && (found == null || !(found.entry() instanceof Mailbox))) {
          errors.add(path + ".managedBy[" + o + "]", "no mailbox has the address " + group.managedBy().get(o));
        }
      }
      if (group.reportToManagerEnabled() && group.reportToOriginatorEnabled()) {
        errors.add(path + ".reportToManagerEnabled", "reportToManagerEnabled and reportToOriginatorEnabled are"
            + " both true: set reportToOriginatorEnabled: false (reports go to one place)");
      } else if (group.reportToManagerEnabled() && group.managedBy().isEmpty()) {
        errors.add(path + ".reportToManagerEnabled", "reportToManagerEnabled needs managedBy (the manager)");
      }
    }
  }

  /**
   * A target address must lead somewhere: not back to the same object, directly or through other
   * contacts (mail would loop), and not to an unknown address in an authoritative domain (it would bounce).
   */
  private void targetAddress(Map<String, Owner> addresses, String path, TargetAddressRecipient entry) {
    Optional<SmtpAddress> target = SmtpAddress.tryParse(entry.externalEmailAddress());
    if (target.isEmpty()) {
      return; // blank or malformed: reported by the reader
    }
    Owner owner = addresses.get(target.get().normalized());
    if (owner != null && owner.entry() == entry) {
      errors.add(path, "is the " + kind(entry) + "'s own address: mail would loop");
      return;
    }
    // Follow the chain of redirects: one that comes back here would redirect mail forever.
    List<String> chain = new ArrayList<>(List.of(entry.primarySmtpAddress()));
    Owner next = owner;
    while (next != null && next.entry() instanceof TargetAddressRecipient hop && chain.size() <= addresses.size()) {
      chain.add(hop.primarySmtpAddress());
      if (hop == entry) {
        errors.add(path, "redirects in a loop: " + String.join(" -> ", chain));
        return;
      }
      next = SmtpAddress.tryParse(hop.externalEmailAddress()).map(a -> addresses.get(a.normalized())).orElse(null);
    }
    Optional<AcceptedDomain> domain = org.acceptedDomainFor(target.get().domainLower());
    if (owner == null && domain.isPresent() && domain.get().type() == DomainType.Authoritative) {
      errors.add(path, "no recipient has the address " + target.get() + " (" + domain.get().domainName()
          + " is authoritative, so mail to it would bounce)");
    }
  }

  private void recipientName(Map<String, String> names, String path, DirectoryEntry entry) {
    if (entry.name().isBlank()) {
      return;
    }
    String earlier = names.putIfAbsent(entry.name().toLowerCase(Locale.ROOT), path);
    if (earlier != null) {
      errors.add(path + ".name", "name '" + entry.name() + "' is already " + earlier);
    }
  }

  /** An SMTP address reaches exactly one recipient, and lies in an accepted domain. */
  private void claim(Map<String, Owner> addresses, String path, String text, DirectoryEntry entry) {
    Optional<SmtpAddress> parsed = SmtpAddress.tryParse(text);
    if (parsed.isEmpty()) {
      return; // blank or malformed: reported by the reader
    }
    Owner earlier = addresses.putIfAbsent(parsed.get().normalized(), new Owner(path, entry));
    if (earlier != null) {
      errors.add(path, earlier.entry() == entry
          ? "address " + text + " is listed twice (also " + earlier.path() + ")"
          : "address " + text + " already belongs to " + kind(earlier.entry()) + " '" + earlier.entry().name()
              + "' (" + earlier.path() + ")");
      return;
    }
    if (!org.acceptedDomains().isEmpty() // else the reader reported them missing: one mistake, one message
        && org.acceptedDomainFor(parsed.get().domainLower()).isEmpty()) {
      errors.add(path, "domain " + parsed.get().domain() + " of " + text + " is not an accepted domain");
    }
  }

  private static String kind(DirectoryEntry entry) {
    if (entry instanceof Mailbox) {
      return "mailbox";
    }
    if (entry instanceof MailContact) {
      return "mail contact";
    }
    return entry instanceof MailUser ? "mail user" : "group";
  }

  // ---- shared checks -----------------------------------------------------------------------------

  /** Names (compared without case, as Exchange does) must be unique within a list. */
  private <T> void unique(String listPath, List<T> items, Function<T, String> name, String suffix) {
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < items.size(); i++) {
      String value = name.apply(items.get(i));
      if (value == null || value.isBlank()) {
        continue;
      }
      Integer earlier = seen.putIfAbsent(value.toLowerCase(Locale.ROOT), i);
      if (earlier != null) {
        errors.add(listPath + "[" + i + "]" + suffix, "'" + value + "' is already " + listPath + "[" + earlier + "]");
      }
    }
  }

  /** A name that must match one of {@code targets}; the message lists what exists. */
  private <T> void reference(String path, String value, String kind, List<T> targets, Function<T, String> name) {
    if (value == null || value.isBlank()) {
      return;
    }
    if (targets.stream().map(name).anyMatch(value::equalsIgnoreCase)) {
      return;
    }
    List<String> known = targets.stream().map(name).filter(n -> !n.isBlank()).limit(NAMES_LISTED).toList();
    errors.add(path, "no " + kind + " named '" + value + "' (" + (known.isEmpty() ? "there are none"
        : "known: " + String.join(", ", known) + (targets.size() > NAMES_LISTED ? ", ..." : "")) + ")");
  }
}
