package io.mailflow.organization;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Organization - everything a mailflow node knows about the mail organization it serves.
 *
 * <p>Loaded once from YAML by {@link OrganizationLoader}, validated as a whole, then immutable. Every
 * stage reads the same model; none writes it.
 *
 * @param serverName this node's server name (Exchange: the transport server's name)
 * @param siteName this node's Active Directory site
 * @param kafka topic settings used when topics are created
 * @param contacts mail contacts: addresses redirected to someone outside
 * @param mailUsers mail users: users whose mailbox is elsewhere, redirected to their external address
 * @param transportConfig organization-wide transport limits; null means Exchange's defaults
 * @param transportService this node's transport-service settings (protocol log place and limits); null means
 *     Exchange's defaults
 * @param administrators who may use the admin server, and in which role
 * @param adminServer where the admin server listens and whether /metrics needs a login; null means the defaults
 * @param webhooks HTTP endpoints told of message status changes (ops/webhooks); may be empty
 */
public record Organization(
    String serverName,
    String siteName,
    KafkaTopics kafka,
    List<AcceptedDomain> acceptedDomains,
    List<ReceiveConnector> receiveConnectors,
    List<SendConnector> sendConnectors,
    List<Site> sites,
    List<SiteLink> siteLinks,
    List<Server> servers,
    List<MailboxDatabase> databases,
    List<Mailbox> mailboxes,
    List<DistributionGroup> groups,
    List<MailContact> contacts,
    List<MailUser> mailUsers,
    TransportConfig transportConfig,
    TransportService transportService,
    List<Administrator> administrators,
    AdminServerSettings adminServer,
    List<Webhook> webhooks) {

  public Organization {
    acceptedDomains = List.copyOf(acceptedDomains);
    receiveConnectors = List.copyOf(receiveConnectors);
    sendConnectors = List.copyOf(sendConnectors);
    sites = List.copyOf(sites);
    siteLinks = List.copyOf(siteLinks);
    servers = List.copyOf(servers);
    databases = List.copyOf(databases);
    mailboxes = List.copyOf(mailboxes);
    groups = List.copyOf(groups);
    contacts = List.copyOf(contacts);
    mailUsers = List.copyOf(mailUsers);
    administrators = List.copyOf(administrators);
    webhooks = webhooks == null ? List.of() : List.copyOf(webhooks);
    if (adminServer == null) {
      adminServer = AdminServerSettings.defaults();
    }
    if (transportConfig == null) {
      transportConfig = TransportConfig.defaults();
    }
    if (transportService == null) {
      transportService = TransportService.defaults();
    }
  }

  /** An organization without webhooks (what code built before them calls). */
  public Organization(String serverName, String siteName, KafkaTopics kafka, List<AcceptedDomain> acceptedDomains,
      List<ReceiveConnector> receiveConnectors, List<SendConnector> sendConnectors, List<Site> sites,
      List<SiteLink> siteLinks, List<Server> servers, List<MailboxDatabase> databases, List<Mailbox> mailboxes,
      List<DistributionGroup> groups, List<MailContact> contacts, List<MailUser> mailUsers,
      TransportConfig transportConfig, TransportService transportService, List<Administrator> administrators,
      AdminServerSettings adminServer) {
    this(serverName, siteName, kafka, acceptedDomains, receiveConnectors, sendConnectors, sites, siteLinks, servers,
        databases, mailboxes, groups, contacts, mailUsers, transportConfig, transportService, administrators,
        adminServer, List.of());
  }

  /** An organization without administrators and with the admin server's defaults (what code built before them calls). */
  public Organization(String serverName, String siteName, KafkaTopics kafka, List<AcceptedDomain> acceptedDomains,
      List<ReceiveConnector> receiveConnectors, List<SendConnector> sendConnectors, List<Site> sites,
      List<SiteLink> siteLinks, List<Server> servers, List<MailboxDatabase> databases, List<Mailbox> mailboxes,
      List<DistributionGroup> groups, List<MailContact> contacts, List<MailUser> mailUsers,
      TransportConfig transportConfig, TransportService transportService) {
    this(serverName, siteName, kafka, acceptedDomains, receiveConnectors, sendConnectors, sites, siteLinks, servers,
        databases, mailboxes, groups, contacts, mailUsers, transportConfig, transportService, List.of(), null);
  }

  /** An organization with Exchange's default transport-service settings (what code built before them calls). */
  public Organization(String serverName, String siteName, KafkaTopics kafka, List<AcceptedDomain> acceptedDomains,
      List<ReceiveConnector> receiveConnectors, List<SendConnector> sendConnectors, List<Site> sites,
      List<SiteLink> siteLinks, List<Server> servers, List<MailboxDatabase> databases, List<Mailbox> mailboxes,
      List<DistributionGroup> groups, List<MailContact> contacts, List<MailUser> mailUsers,
      TransportConfig transportConfig) {
    this(serverName, siteName, kafka, acceptedDomains, receiveConnectors, sendConnectors, sites, siteLinks, servers,
        databases, mailboxes, groups, contacts, mailUsers, transportConfig, null);
  }

  /**
   * The same organization as seen by another node: {@code serverName} in {@code siteName} (what
   * {@code route explain --from-site} asks). Nothing else changes.
   */
  public Organization asSeenFrom(String serverName, String siteName) {
    return new Organization(serverName, siteName, kafka, acceptedDomains, receiveConnectors, sendConnectors,
        sites, siteLinks, servers, databases, mailboxes, groups, contacts, mailUsers, transportConfig,
        transportService, administrators, adminServer, webhooks);
  }

  /** The same organization with these mailboxes and administrators (the built-in demo's, with passwords made at first start). */
  public Organization withCredentials(List<Mailbox> mailboxes, List<Administrator> administrators) {
    return new Organization(serverName, siteName, kafka, acceptedDomains, receiveConnectors, sendConnectors,
        sites, siteLinks, servers, databases, mailboxes, groups, contacts, mailUsers, transportConfig,
        transportService, administrators, adminServer, webhooks);
  }

  /** The administrator with this login name (exact match), if any. */
  public Optional<Administrator> administrator(String name) {
    return administrators.stream().filter(a -> a.name().equals(name)).findFirst();
  }

  /** The accepted domain that covers {@code domain} (exact match, then the longest wildcard), if any. */
  public Optional<AcceptedDomain> acceptedDomainFor(String domain) {
    String d = domain.toLowerCase(Locale.ROOT);
    AcceptedDomain best = null;
    for (AcceptedDomain accepted : acceptedDomains) {
      if (accepted.covers(d) && (best == null || accepted.specificity() > best.specificity())) {
        best = accepted;
      }
    }
    return Optional.ofNullable(best);
  }

  /**
   * This server's FQDN, the one rule every stage names itself by (a DSN's Reporting-MTA and From domain,
   * delivery's site relay): the server name if it contains a dot, else the server name under the default
   * accepted domain (a wildcard {@code *.contoso.com} gives {@code contoso.com}); the bare server name when
   * there is no accepted domain.
   */
  public String serverFqdn() {
    if (serverName.contains(".") || acceptedDomains.isEmpty()) {
      return serverName;
    }
    String domain = defaultDomain().domainName();
    return serverName + "." + (domain.startsWith("*.") ? domain.substring(2) : domain);
  }

  /**
   * The name a connector greets and says EHLO with: its own {@code fqdn} when set (not blank), else the server
   * name. (The organization reader already fills an unset connector fqdn with a default, so the server name
   * is the fallback for an explicit blank or a connector built in code.)
   *
   * @param connectorFqdn a {@link ReceiveConnector#fqdn()} or {@link SendConnector#fqdn()}, may be null
   */
  public String connectorFqdn(String connectorFqdn) {
    return connectorFqdn == null || connectorFqdn.isBlank() ? serverName : connectorFqdn;
  }

  /** The default accepted domain: the one marked default, else the first. */
  public AcceptedDomain defaultDomain() {
    return acceptedDomains.stream().filter(AcceptedDomain::isDefault).findFirst()
        .orElse(acceptedDomains.get(0));
  }

  public Optional<MailboxDatabase> database(String name) {
    return databases.stream().filter(d -> d.name().equalsIgnoreCase(name)).findFirst();
  }

  public Optional<Server> server(String name) {
    return servers.stream().filter(s -> s.name().equalsIgnoreCase(name)).findFirst();
  }
}
