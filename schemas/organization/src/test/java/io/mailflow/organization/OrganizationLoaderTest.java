package io.mailflow.organization;

import static io.mailflow.organization.TestYaml.errorsOf;
import static io.mailflow.organization.TestYaml.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.organization.AcceptedDomain.DomainType;
import io.mailflow.organization.ReceiveConnector.AuthMechanism;
import io.mailflow.organization.ReceiveConnector.Binding;
import io.mailflow.organization.ReceiveConnector.PermissionGroup;
import io.mailflow.organization.SendConnector.AddressSpace;
import io.mailflow.organization.SendConnector.SmartHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OrganizationLoaderTest {
  /** The smallest valid file: everything else is a default or implied. */
  private static final String MINIMAL = "serverName: EX01\nacceptedDomains: [contoso.test]\n";

  // ---- the demo ----------------------------------------------------------------------------------

  @Test
  void demoHasTheDocumentedDomainMailboxesGroupAndConnectors() {
    Organization demo = OrganizationLoader.demo();
    assertEquals("EX01", demo.serverName());
    assertEquals("Default-First-Site-Name", demo.siteName());
    assertEquals(new KafkaTopics(2, (short) 1), demo.kafka()); // fits one node (issue 13), two instances share
    assertEquals(List.of(new AcceptedDomain("contoso.test", DomainType.Authoritative, true)), demo.acceptedDomains());

    ReceiveConnector frontend = demo.receiveConnectors().get(0);
    assertEquals("Default Frontend EX01", frontend.name());
    assertEquals(List.of(new Binding("127.0.0.1", 2525)), frontend.bindings());
    assertEquals(Set.of(PermissionGroup.AnonymousUsers, PermissionGroup.ExchangeServers), frontend.permissionGroups());
    ReceiveConnector client = demo.receiveConnectors().get(1);
    assertEquals("Client Frontend EX01", client.name());
    assertEquals(List.of(new Binding("127.0.0.1", 2587)), client.bindings());
    assertEquals(Set.of(PermissionGroup.ExchangeUsers), client.permissionGroups());
    assertTrue(client.authMechanisms().containsAll(Set.of(AuthMechanism.BasicAuth, AuthMechanism.BasicAuthRequireTLS)));

    SendConnector internet = demo.sendConnectors().get(0);
    assertEquals("Internet", internet.name());
    assertEquals(List.of(new AddressSpace("*", 1)), internet.addressSpaces());
    assertFalse(internet.usesSmartHosts(), "DNS MX routing");

    assertEquals(List.of(new Site("Default-First-Site-Name", false)), demo.sites());
    assertEquals(List.of(new Server("EX01", "Default-First-Site-Name")), demo.servers());
    assertEquals(List.of(new MailboxDatabase("DB01", List.of("EX01"), "EX01", null)), demo.databases());
    assertEquals(List.of(new Mailbox("Alice", "alice@contoso.test", List.of(), "DB01"),
        new Mailbox("Bob", "bob@contoso.test", List.of(), "DB01")), demo.mailboxes());
    assertEquals(List.of(new DistributionGroup("Team", "team@contoso.test",
        List.of("alice@contoso.test", "bob@contoso.test"))), demo.groups());
  }

  @Test
  void demoIsParsedFromItsResourceBySameCodeAsFiles() throws Exception {
    assertEquals(OrganizationLoader.demo(), OrganizationLoader.parse(OrganizationLoader.demoYaml(), "demo"));
  }

  // ---- defaults ----------------------------------------------------------------------------------

  @Test
  void leftOutSitesServersAndDatabasesAreImpliedForThisNode() throws Exception {
    Organization org = parse("serverName: EX07\nsiteName: Branch\nacceptedDomains: [contoso.test]\n"
        + "mailboxes: [{name: Alice, primarySmtpAddress: alice@contoso.test}]\n");
    assertEquals(List.of(new Site("Branch", false)), org.sites());
    assertEquals(List.of(new Server("EX07", "Branch")), org.servers());
    assertEquals(List.of(new MailboxDatabase("DB01", List.of("EX07"), "EX07", null)), org.databases());
    assertEquals("DB01", org.mailboxes().get(0).database());
  }

  @Test
  void aSiteMayBeConfiguredDown() throws Exception {
    Organization org = parse("serverName: EX07\nsiteName: Branch\nacceptedDomains: [contoso.test]\n"
        + "sites: [{name: Branch}, {name: Far, down: true}]\n"
        + "mailboxes: [{name: Alice, primarySmtpAddress: alice@contoso.test}]\n");
    assertEquals(List.of(new Site("Branch", false, false), new Site("Far", false, true)), org.sites());
  }

  @Test
  void siteNameDefaultsToActiveDirectorysFirstSiteAndKafkaToOneBrokerSettings() throws Exception {
    Organization org = parse(MINIMAL);
    assertEquals("Default-First-Site-Name", org.siteName());
    assertEquals(KafkaTopics.defaults(), org.kafka());
    assertEquals(DomainType.Authoritative, org.acceptedDomains().get(0).type());
    assertEquals("contoso.test", org.defaultDomain().domainName(), "the first domain when none is marked default");
  }

  @Test
  void mailboxWithoutDatabaseGoesToTheFirstDatabase() throws Exception {
    Organization org = parse(MINIMAL + "databases: [{name: DB07}, {name: DB08}]\n"
        + "mailboxes: [{name: A, primarySmtpAddress: a@contoso.test}, {name: B, primarySmtpAddress: b@contoso.test, database: DB08}]\n");
    assertEquals("DB07", org.mailboxes().get(0).database());
    assertEquals("DB08", org.mailboxes().get(1).database());
    assertEquals(new MailboxDatabase("DB07", List.of("EX01"), "EX01", null), org.databases().get(0));
  }

  @Test
  void receiveConnectorDefaultsAreExchanges() throws Exception {
    ReceiveConnector c = parse(MINIMAL + "receiveConnectors: [{name: R, bindings: [\"0.0.0.0:2525\"]}]\n")
        .receiveConnectors().get(0);
    assertEquals(ReceiveConnector.DEFAULT_REMOTE_IP_RANGES, c.remoteIpRanges());
    assertEquals(Set.of(PermissionGroup.AnonymousUsers), c.permissionGroups());
    assertEquals(Set.of(AuthMechanism.Tls), c.authMechanisms());
    assertEquals("ex01.contoso.test", c.fqdn());
    assertNull(c.banner());
    assertEquals(36L * 1024 * 1024, c.maxMessageSize());
    assertEquals(200, c.maxRecipientsPerMessage());
    assertEquals(5000, c.maxInboundConnection());
    assertEquals(20, c.maxInboundConnectionPerSource());
    assertEquals(256 * 1024, c.maxHeaderSize());
    assertEquals(5, c.maxProtocolErrors());
    assertEquals(600, c.connectionTimeoutSeconds());
    assertEquals(300, c.connectionInactivityTimeoutSeconds());
  }

  @Test
  void sendConnectorAndSiteLinkDefaultsAreExchanges() throws Exception {
    Organization org = parse(MINIMAL + "sendConnectors: [{name: Out, addressSpaces: [\"*\"], smartHosts: [relay.contoso.test]}]\n"
        + "sites: [{name: Default-First-Site-Name}, {name: B}]\n"
        + "siteLinks: [{name: L, sites: [Default-First-Site-Name, B]}]\n");
    SendConnector c = org.sendConnectors().get(0);
    assertEquals(25, c.port());
    assertEquals(List.of(new AddressSpace("*", 1)), c.addressSpaces());
    assertEquals(List.of(new SmartHost("relay.contoso.test", 25)), c.smartHosts());
    assertEquals(35L * 1024 * 1024, c.maxMessageSize());
    assertEquals(List.of(), c.sourceTransportServers());
    assertEquals("ex01.contoso.test", c.fqdn());
    assertEquals(new SiteLink("L", List.of("Default-First-Site-Name", "B"), 100, 0), org.siteLinks().get(0));
  }

  @Test
  void sizesAndDurationsAcceptExchangeStyleUnits() throws Exception {
    ReceiveConnector c = parse(MINIMAL + "receiveConnectors:\n"
        + "  - name: R\n    bindings: [\"[::1]:2525\"]\n"
        + "    maxMessageSize: 36 MB (37,748,736 bytes)\n    maxHeaderSize: 64KB\n"
        + "    connectionTimeout: 00:15:00\n    connectionInactivityTimeout: 90s\n"
        + "    maxInboundConnection: unlimited\n").receiveConnectors().get(0);
    assertEquals(new Binding("::1", 2525), c.bindings().get(0));
    assertEquals(37_748_736L, c.maxMessageSize());
    assertEquals(65_536, c.maxHeaderSize());
    assertEquals(900, c.connectionTimeoutSeconds());
    assertEquals(90, c.connectionInactivityTimeoutSeconds());
    assertEquals(Integer.MAX_VALUE, c.maxInboundConnection());
  }

  @Test
  void sendConnectorTakesExchangeAddressSpacesAndSmartHostForms() throws Exception {
    SendConnector c = parse(MINIMAL + "sendConnectors:\n  - name: Out\n    port: 2626\n"
        + "    addressSpaces: [\"SMTP:fabrikam.test;10\", \"*.fabrikam.test\", {domain: \"*\", cost: 50}]\n"
        + "    smartHosts: [\"127.0.0.1:2627\", \"[::1]\", \"relay.test\", {host: \"10.0.0.1\", port: 26}]\n"
        + "    maxMessageSize: unlimited\n").sendConnectors().get(0);
    assertEquals(List.of(new AddressSpace("fabrikam.test", 10), new AddressSpace("*.fabrikam.test", 1),
        new AddressSpace("*", 50)), c.addressSpaces());
    assertEquals(List.of(new SmartHost("127.0.0.1", 2627), new SmartHost("::1", 2626),
        new SmartHost("relay.test", 2626), new SmartHost("10.0.0.1", 26)), c.smartHosts());
    assertEquals(Long.MAX_VALUE, c.maxMessageSize());
  }

  @Test
  void mergeKeysShareSettingsAndExtensionKeysHoldAnchors() throws Exception {
    Organization org = parse(MINIMAL + "x-limits: &limits { maxMessageSize: 10MB, maxRecipientsPerMessage: 50 }\n"
        + "receiveConnectors:\n  - { <<: *limits, name: A, bindings: [\"127.0.0.1:1\"], maxRecipientsPerMessage: 7 }\n");
    ReceiveConnector c = org.receiveConnectors().get(0);
    assertEquals(10L * 1024 * 1024, c.maxMessageSize());
    assertEquals(7, c.maxRecipientsPerMessage(), "an explicit key wins over the merged one");
  }

  // ---- problems ----------------------------------------------------------------------------------

  @Test
  void syntaxErrorNamesLineAndColumn() {
    List<String> errors = errorsOf("serverName: EX01\nacceptedDomains: [contoso.test\nmailboxes: []\n");
    assertEquals(1, errors.size(), errors.toString());
    assertTrue(errors.get(0).startsWith("syntax error at line 3, column 10:"), errors.get(0));
  }

  @Test
  void unknownKeyIsReportedWithTheKeyTheLikelyMeaningAndTheAllowedKeys() {
    assertEquals(List.of("receiveConnectors[0]: unknown key 'maxMesageSize' (did you mean 'maxMessageSize'?); "
            + "allowed keys: " + String.join(", ", OrganizationReader.RECEIVE_CONNECTOR_KEYS)),
        errorsOf(MINIMAL + "receiveConnectors: [{name: R, bindings: [\"127.0.0.1:1\"], maxMesageSize: 10MB}]\n"));
  }

  @Test
  void keyGivenTwiceIsReported() {
    assertEquals(List.of("serverName: given twice (first on line 1)"), errorsOf(MINIMAL + "serverName: EX02\n"));
  }

  @Test
  void addressOfTwoRecipientsIsReportedWithoutRegardToCase() {
    assertEquals(List.of("groups[0].primarySmtpAddress: address Alice@CONTOSO.test already belongs to mailbox 'Alice' "
            + "(mailboxes[0].primarySmtpAddress)"),
        errorsOf(MINIMAL + "mailboxes: [{name: Alice, primarySmtpAddress: alice@contoso.test}]\n"
            + "groups: [{name: G, primarySmtpAddress: Alice@CONTOSO.test, members: []}]\n"));
  }

  @Test
  void addressListedTwiceForOneMailboxIsReported() {
    assertEquals(List.of("mailboxes[0].proxyAddresses[0]: address alice@contoso.test is listed twice "
            + "(also mailboxes[0].primarySmtpAddress)"),
        errorsOf(MINIMAL + "mailboxes: [{name: A, primarySmtpAddress: alice@contoso.test, proxyAddresses: [alice@contoso.test]}]\n"));
  }

  @Test
  void duplicateNamesAreReportedWithoutRegardToCase() {
    assertEquals(List.of("receiveConnectors[1].name: 'r' is already receiveConnectors[0]",
            "sendConnectors[1].name: 'OUT' is already sendConnectors[0]"),
        errorsOf(MINIMAL + "receiveConnectors: [{name: R, bindings: [\"127.0.0.1:1\"]}, {name: r, bindings: [\"127.0.0.1:2\"]}]\n"
            + "sendConnectors: [{name: Out, addressSpaces: [\"*\"]}, {name: OUT, addressSpaces: [a.test]}]\n"));
  }

  @Test
  void malformedAddressIsReportedWithWhatIsWrong() {
    assertEquals(List.of("mailboxes[0].proxyAddresses[0]: 'smtp:a@contoso.test' is not a valid SMTP address: "
            + "character ':' is not allowed in the local part 'smtp:a' (quote the local part to use it); "
            + "write the address without the 'smtp:' prefix"),
        errorsOf(MINIMAL + "mailboxes: [{name: A, primarySmtpAddress: b@contoso.test, proxyAddresses: [\"smtp:a@contoso.test\"]}]\n"));
  }

  @Test
  void addressOutsideTheAcceptedDomainsIsReported() {
    assertEquals(List.of("mailboxes[0].primarySmtpAddress: domain fabrikam.test of a@fabrikam.test is not an accepted domain"),
        errorsOf(MINIMAL + "mailboxes: [{name: A, primarySmtpAddress: a@fabrikam.test}]\n"));
  }

  @Test
  void wildcardAcceptedDomainAcceptsAddressesInSubdomainsOnly() {
    String yaml = "serverName: EX01\nacceptedDomains: [contoso.test, \"*.fabrikam.test\"]\n"
        + "mailboxes: [{name: A, primarySmtpAddress: a@eu.fabrikam.test}, {name: B, primarySmtpAddress: b@fabrikam.test}]\n";
    assertEquals(List.of("mailboxes[1].primarySmtpAddress: domain fabrikam.test of b@fabrikam.test is not an accepted domain"),
        errorsOf(yaml));
  }

  @Test
  void badCidrIsReportedWithItsPath() {
    assertEquals(List.of("receiveConnectors[0].remoteIpRanges[1]: bad IP range '10.0.0.0/33': prefix length 33 out of range (0-32)",
            "receiveConnectors[0].remoteIpRanges[2]: bad IP range 'fe80::/129': prefix length 129 out of range (0-128)",
            "receiveConnectors[0].remoteIpRanges[3]: bad IP range '10.0.0.256': '10.0.0.256' is not an IPv4 or IPv6 address"),
        errorsOf(MINIMAL + "receiveConnectors: [{name: R, bindings: [\"127.0.0.1:1\"], "
            + "remoteIpRanges: [\"192.168.0.0/16\", \"10.0.0.0/33\", \"fe80::/129\", \"10.0.0.256\", \"10.0.0.1-10.0.0.9\", \"2001:db8::/32\"]}]\n"));
  }

  @Test
  void bindingPortOutOfRangeIsReportedWithItsPath() {
    assertEquals(List.of("receiveConnectors[1].bindings[0]: port 99999 out of range (1-65535)",
            "sendConnectors[0].port: 0 out of range (1-65535)"),
        errorsOf(MINIMAL + "receiveConnectors:\n  - {name: A, bindings: [\"127.0.0.1:2525\"]}\n"
            + "  - {name: B, bindings: [\"127.0.0.1:99999\"]}\n"
            + "sendConnectors: [{name: Out, addressSpaces: [\"*\"], port: 0}]\n"));
  }

  @Test
  void unresolvedReferencesAreReportedWithWhatExists() {
    String yaml = "serverName: EX09\nsiteName: Nowhere\nacceptedDomains: [contoso.test]\n"
        + "sites: [{name: A}, {name: B}]\n"
        + "siteLinks: [{name: L, sites: [A, C]}]\n"
        + "servers: [{name: EX01, site: A}, {name: EX02, site: D}]\n"
        + "databases: [{name: DB01, copies: [EX01, EX03]}]\n"
        + "mailboxes: [{name: M, primarySmtpAddress: m@contoso.test, database: DB02}]\n"
        + "sendConnectors: [{name: Out, addressSpaces: [\"*\"], sourceTransportServers: [EX04]}]\n";
    assertEquals(List.of( // in file order
        "serverName: no server named 'EX09' (known: EX01, EX02)",
        "siteName: no site named 'Nowhere' (known: A, B)",
        "siteLinks[0].sites[1]: no site named 'C' (known: A, B)",
        "servers[1].site: no site named 'D' (known: A, B)",
        "databases[0].copies[1]: no server named 'EX03' (known: EX01, EX02)",
        "mailboxes[0].database: no database named 'DB02' (known: DB01)",
        "sendConnectors[0].sourceTransportServers[0]: no server named 'EX04' (known: EX01, EX02)"), errorsOf(yaml));
  }

  @Test
  void thisNodesServerMustBeInThisNodesSite() {
    assertEquals(List.of("siteName: this node's server EX01 is in site 'B', not 'A'"),
        errorsOf(MINIMAL + "siteName: A\nsites: [{name: A}, {name: B}]\nservers: [{name: EX01, site: B}]\n"));
  }

  @Test
  void activeServerMustHoldACopy() {
    assertEquals(List.of("databases[0].activeServer: 'EX02' holds no copy of DB01 (copies: EX01)"),
        errorsOf(MINIMAL + "servers: [{name: EX01}, {name: EX02}]\ndatabases: [{name: DB01, copies: [EX01], activeServer: EX02}]\n"));
  }

  @Test
  void groupMembersMayBeRecipientsOrOutsideAddressesButNotUnknownInAnAuthoritativeDomain() {
    String yaml = "serverName: EX01\nacceptedDomains: [contoso.test, {domainName: partner.test, type: InternalRelay}]\n"
        + "mailboxes: [{name: A, primarySmtpAddress: a@contoso.test, proxyAddresses: [alias@contoso.test]}]\n"
        + "groups:\n  - {name: Inner, primarySmtpAddress: inner@contoso.test, members: [a@contoso.test]}\n"
        + "  - {name: G, primarySmtpAddress: g@contoso.test, members: [ALIAS@contoso.test, inner@contoso.test, "
        + "x@example.org, y@partner.test, nobody@contoso.test, Inner@contoso.test]}\n";
    assertEquals(List.of("groups[1].members[4]: no mailbox or group has the address nobody@contoso.test "
            + "(contoso.test is authoritative, so mail to it would bounce)",
        "groups[1].members[5]: Inner@contoso.test is already members[1]"), errorsOf(yaml));
  }

  @Test
  void acceptedDomainRulesFollowExchange() {
    assertEquals(List.of("acceptedDomains[2].domainName: '*' would accept mail for every domain (an open relay); name the domains",
            "acceptedDomains[1]: only one accepted domain can be the default; acceptedDomains[0] already is"),
        errorsOf("serverName: EX01\nacceptedDomains: [{domainName: a.test, default: true}, "
            + "{domainName: b.test, default: true}, {domainName: \"*\"}]\n"));
    assertEquals(List.of("acceptedDomains[0]: the default domain cannot be a wildcard"),
        errorsOf("serverName: EX01\nacceptedDomains: [{domainName: \"*.a.test\", default: true}]\n"));
    assertEquals(List.of("acceptedDomains: required: at least one accepted domain (the domains this organization receives mail for)"),
        errorsOf("serverName: EX01\n"));
  }

  @Test
  void sameBindingAndRemoteRangeOnTwoConnectorsIsReported() {
    String connectors = "receiveConnectors:\n"
        + "  - {name: A, bindings: [\"0.0.0.0:2525\"]}\n"
        + "  - {name: B, bindings: [\"0.0.0.0:2525\"], remoteIpRanges: [\"10.0.0.0/8\"]}\n"
        + "  - {name: C, bindings: [\"0.0.0.0:2525\"], remoteIpRanges: [\"10.0.0.0-10.255.255.255\"]}\n";
    assertEquals(List.of("receiveConnectors[2]: binding 0.0.0.0:2525 with remote IP range 10.0.0.0-10.255.255.255 "
        + "is already receiveConnectors[1] ('B'); give one of them other bindings or remoteIpRanges"),
        errorsOf(MINIMAL + connectors));
  }

  @Test
  void crossingRemoteRangesOnOneBindingAreReportedNamingBothConnectors() {
    String connectors = "receiveConnectors:\n"
        + "  - {name: Wide, bindings: [\"0.0.0.0:2525\"]}\n"
        + "  - {name: Lan, bindings: [\"0.0.0.0:2525\"], remoteIpRanges: [\"10.0.0.0/24\"]}\n"
        + "  - {name: Host, bindings: [\"0.0.0.0:2525\"], remoteIpRanges: [\"10.0.0.9\"]}\n"
        + "  - {name: Odd, bindings: [\"0.0.0.0:2525\"], remoteIpRanges: [\"10.0.0.128-10.0.1.5\"]}\n"
        + "  - {name: Apart, bindings: [\"0.0.0.0:2526\"], remoteIpRanges: [\"10.0.0.128-10.0.1.5\"]}\n";
    assertEquals(List.of("receiveConnectors[3]: remote IP range 10.0.0.128-10.0.1.5 of 'Odd' overlaps range "
        + "10.0.0.0/24 of 'Lan' (receiveConnectors[1]) on binding 0.0.0.0:2525 without either containing the other; "
        + "make one range contain the other or keep them apart"),
        errorsOf(MINIMAL + connectors));
  }

  @Test
  void messageRateSettingsAreReadWithExchangeDefaults() throws Exception {
    Organization org = OrganizationLoader.parse(MINIMAL + "receiveConnectors:\n"
        + "  - {name: A, bindings: [\"127.0.0.1:1\"]}\n"
        + "  - {name: B, bindings: [\"127.0.0.1:2\"], messageRateLimit: 5, messageRateSource: User}\n", "test");
    ReceiveConnector a = org.receiveConnectors().get(0);
    assertEquals(ReceiveConnector.UNLIMITED, a.messageRateLimit());
    assertEquals(ReceiveConnector.MessageRateSource.IPAddress, a.messageRateSource());
    assertEquals(5, org.receiveConnectors().get(1).messageRateLimit());
    assertEquals(ReceiveConnector.MessageRateSource.User, org.receiveConnectors().get(1).messageRateSource());
    ReceiveConnector demoClient = OrganizationLoader.demo().receiveConnectors().get(1);
    assertEquals("Client Frontend EX01", demoClient.name());
    assertEquals(5, demoClient.messageRateLimit(), "Exchange's Client Frontend: 5 messages a minute per user");
    assertEquals(ReceiveConnector.MessageRateSource.User, demoClient.messageRateSource());
  }

  @Test
  void badMessageRateSettingsAreReportedWithTheirPaths() {
    List<String> errors = errorsOf(MINIMAL + "receiveConnectors:\n"
        + "  - {name: A, bindings: [\"127.0.0.1:1\"], messageRateLimit: 0, messageRateSource: Mailbox}\n");
    assertEquals(2, errors.size(), errors.toString());
    assertTrue(errors.get(0).startsWith("receiveConnectors[0].messageRateLimit: 0 out of range"), errors.toString());
    assertTrue(errors.get(1).startsWith("receiveConnectors[0].messageRateSource: "), errors.toString());
    assertTrue(errors.get(1).contains("Mailbox"), errors.toString());
  }

  @Test
  void connectorSettingsExchangeRefusesAreReported() {
    String yaml = MINIMAL + "receiveConnectors:\n"
        + "  - {name: A, bindings: [\"127.0.0.1:1\"], authMechanisms: [None, Tls], banner: \"Hello\"}\n"
        + "  - {name: B, bindings: [\"127.0.0.1:2\"], permissionGroups: [ExchangeUsers], authMechanisms: [Tls]}\n"
        + "  - {name: C, bindings: [\"127.0.0.1:3\"], connectionTimeout: 5m, connectionInactivityTimeout: 5m}\n"
        + "  - {name: D, bindings: [\"127.0.0.1:4\"], maxRecipientsPerMessage: 0, maxMessageSize: unlimited}\n";
    assertEquals(List.of("receiveConnectors[0].authMechanisms: None cannot be combined with other mechanisms",
        "receiveConnectors[0].banner: a banner is one line starting with '220 ' (as in Exchange), got 'Hello'",
        "receiveConnectors[1].permissionGroups: ExchangeUsers needs authMechanisms BasicAuth: users are known only after AUTH",
        "receiveConnectors[2].connectionInactivityTimeout: connectionInactivityTimeout (300s) must be less than connectionTimeout (300s)",
        "receiveConnectors[3].maxMessageSize: 'unlimited' is not allowed here; give a value from 65536 to 2147483647 bytes",
        "receiveConnectors[3].maxRecipientsPerMessage: 0 out of range (1-512000)"),
        errorsOf(yaml));
  }

  @Test
  void messageListsEveryErrorPrefixedByFileNameAndLine() {
    OrganizationException e = assertThrows(OrganizationException.class, () -> OrganizationLoader.parse(
        "serverName: EX01\nacceptedDomains: [contoso.test]\nkafka:\n  partitions: 0\n  replicationFactr: 1\n", "org.yaml"));
    assertEquals("org.yaml:4: kafka.partitions: 0 out of range (1-2147483647)\n"
        + "org.yaml:5: kafka: unknown key 'replicationFactr' (did you mean 'replicationFactor'?); "
        + "allowed keys: partitions, replicationFactor", e.getMessage());
    assertEquals("org.yaml", e.sourceName());
    assertEquals(2, e.errors().size());
  }

  @Test
  void loadReadsAFileAndNamesOneThatIsMissing(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("org.yaml");
    Files.writeString(file, MINIMAL);
    assertEquals("EX01", OrganizationLoader.load(file).serverName());
    OrganizationException e = assertThrows(OrganizationException.class,
        () -> OrganizationLoader.load(dir.resolve("missing.yaml")));
    assertEquals(dir.resolve("missing.yaml") + ": cannot read the file: it does not exist", e.getMessage());
  }

  @Test
  void emptyFileIsReported() {
    assertEquals(List.of("the file is empty; it needs at least serverName and acceptedDomains"), errorsOf(""));
  }

}
