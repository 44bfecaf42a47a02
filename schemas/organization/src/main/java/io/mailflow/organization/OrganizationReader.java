package io.mailflow.organization;

import io.mailflow.organization.AcceptedDomain.DomainType;
import io.mailflow.organization.ReceiveConnector.AuthMechanism;
import io.mailflow.organization.ReceiveConnector.Binding;
import io.mailflow.organization.ReceiveConnector.PermissionGroup;
import io.mailflow.organization.SendConnector.AddressSpace;
import io.mailflow.organization.SendConnector.SmartHost;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * OrganizationReader - turns the parsed YAML tree into the organization records: applies defaults
 * (Exchange's where Exchange has one) and checks every value on its own (syntax, ranges, allowed keys).
 *
 * <p>Checks that need more than one object (duplicates, references) are {@link OrganizationValidator}'s.
 * A bad value is reported and replaced by its default or a blank, so reading always goes on to the end.
 */
final class OrganizationReader {
  static final String DEFAULT_SITE_NAME = "Default-First-Site-Name"; // Active Directory's first site
  static final String IMPLIED_DATABASE_NAME = "DB01";
  static final int MAX_PORT = 65535;
  /** Exchange's upper bound for message and header sizes (2 GB - 1). */
  static final long MAX_EXCHANGE_SIZE = Integer.MAX_VALUE;
  static final int MAX_ADDRESS_SPACE_COST = 100; // Exchange: 1-100
  static final int MAX_SITE_LINK_COST = 99_999; // Exchange: 1-99,999
  static final int MAX_TIMEOUT_SECONDS = 86_400; // Exchange: 00:00:01 to 1.00:00:00

  static final List<String> TOP_KEYS = List.of("serverName", "siteName", "kafka", "acceptedDomains",
      "receiveConnectors", "sendConnectors", "sites", "siteLinks", "servers", "databases", "mailboxes", "groups",
      "contacts", "mailUsers", "transportConfig", "transportService", "administrators", "adminServer", "webhooks");
  /** Top-level keys starting with this are ignored: a place for YAML anchors (as in docker-compose). */
  static final String EXTENSION_PREFIX = "x-";
  /** Beyond ten tries a poison record only delays the records behind it on its partition. */
  static final int MAX_POISON_THRESHOLD = 10;
  static final List<String> KAFKA_KEYS = List.of("partitions", "replicationFactor");
  static final List<String> ACCEPTED_DOMAIN_KEYS = List.of("domainName", "type", "default", "isDefault");
  static final List<String> RECEIVE_CONNECTOR_KEYS = List.of("name", "bindings", "remoteIpRanges",
      "permissionGroups", "authMechanisms", "fqdn", "banner", "maxMessageSize", "maxRecipientsPerMessage",
      "maxInboundConnection", "maxInboundConnectionPerSource", "maxHeaderSize", "maxProtocolErrors",
      "connectionTimeout", "connectionInactivityTimeout", "protocolLoggingLevel", "certificate", "implicitTls",
      "maxLogonFailures", "tarpitInterval", "permissions", "messageRateLimit", "messageRateSource",
      "trustedCertificates", "requireTls", "tlsCipherSuites", "authFailureTarpitThreshold",
      "authFailureRefusalThreshold", "authFailureWindow");
  static final List<String> CERTIFICATE_KEYS = List.of("certFile", "keyFile");
  static final List<String> PERMISSION_KEYS = List.of("user", "extendedRights", "deny");
  static final int MAX_LOGON_FAILURES = 10; // Exchange: 0-10
  static final int MAX_AUTH_FAILURE_THRESHOLD = 1000;
  static final int MAX_TARPIT_SECONDS = 600; // Exchange: 00:00:00 to 00:10:00
  static final List<String> SEND_CONNECTOR_KEYS = List.of("name", "addressSpaces", "smartHosts", "port",
      "maxMessageSize", "sourceTransportServers", "fqdn", "dnsServer", "requireTls", "tlsAuthLevel", "tlsDomain",
      "trustedCertificates", "smartHostAuthMechanism", "authenticationCredential", "protocolLoggingLevel");
  static final List<String> CREDENTIAL_KEYS = List.of("username", "passwordFile");
  static final List<String> ADDRESS_SPACE_KEYS = List.of("domain", "cost");
  static final List<String> SMART_HOST_KEYS = List.of("host", "port");
  static final List<String> SITE_KEYS = List.of("name", "hubSite", "down");
  static final List<String> SITE_LINK_KEYS = List.of("name", "sites", "cost", "maxMessageSize");
  static final List<String> SERVER_KEYS = List.of("name", "site", "smtp", "trackingBootstrap");
  static final List<String> DATABASE_KEYS = List.of("name", "copies", "activeServer", "dag", "lmtp");
  static final List<String> MAILBOX_KEYS = List.of("name", "primarySmtpAddress", "proxyAddresses", "database",
      "passwordHash", "sendAs", "forwardingAddress", "forwardingSmtpAddress", "deliverToMailboxAndForward");
  static final List<String> GROUP_KEYS = List.of("name", "primarySmtpAddress", "members", "managedBy",
      "reportToOriginatorEnabled", "reportToManagerEnabled");
  static final List<String> TARGET_ADDRESS_KEYS = List.of("name", "primarySmtpAddress", "externalEmailAddress");
  static final List<String> TRANSPORT_CONFIG_KEYS = List.of("maxRecipientEnvelopeLimit", "expansionSizeLimit",
      "tlsReceiveDomainSecureList");
  static final List<String> ADMINISTRATOR_KEYS = List.of("name", "passwordHash", "role", "tokenHashes");
  static final List<String> ADMIN_SERVER_KEYS = List.of("bindAddress", "metricsRequireLogin");
  static final List<String> WEBHOOK_KEYS = List.of("name", "url", "secretFile", "events", "timeout", "maxRetryTime",
      "enabled", "allowInsecureHttp");
  /** Webhook names: part of a consumer group id and a meter tag. */
  private static final Pattern WEBHOOK_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  /** A shorter HMAC key is guessable; {@code openssl rand -hex 32} gives 64 characters. */
  static final int MIN_WEBHOOK_SECRET_LENGTH = 16;
  /** One POST never waits longer than this. */
  static final long MAX_WEBHOOK_TIMEOUT_SECONDS = 300;
  /** Kafka's default retention of mail.tracking.v1: a notification retried longer would outlive its record. */
  static final long MAX_WEBHOOK_RETRY_SECONDS = Duration.ofDays(7).toSeconds();
  /** Administrator names: an HTTP Basic user name (no ':'), plain enough to show in audit records. */
  private static final Pattern ADMINISTRATOR_NAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");
  static final List<String> TRANSPORT_SERVICE_KEYS = List.of("receiveProtocolLogPath",
      "receiveProtocolLogMaxFileSize", "receiveProtocolLogMaxDirectorySize", "receiveProtocolLogMaxAge",
      "maxOutboundConnections", "maxPerDomainOutboundConnections", "smtpMaxMessagesPerConnection",
      "delayNotificationTimeout", "transientFailureRetryAttempts", "transientFailureRetryInterval",
      "outboundConnectionFailureRetryInterval", "messageRetryInterval", "messageExpirationTimeout",
      "poisonThreshold", "backPressure", "messageTrackingLogEnabled", "messageTrackingLogPath",
      "messageTrackingLogMaxAge", "messageTrackingLogMaxDirectorySize", "messageTrackingLogMaxFileSize",
      "messageTrackingLogSubjectLoggingEnabled", "sendProtocolLogPath", "sendProtocolLogMaxAge",
      "sendProtocolLogMaxDirectorySize", "sendProtocolLogMaxFileSize", "trackingEventFormat", "protocolEventFormat",
      "flushToDiskBeforeAcknowledge", "intraOrgConnectorProtocolLoggingLevel", "inlineBodyLimit");
  /** transportService.backPressure: Exchange's back pressure keys of EdgeTransport.exe.config. */
  static final List<String> BACK_PRESSURE_KEYS = List.of("enableResourceMonitoring", "resourceMeteringInterval",
      "databaseUsedSpace", "privateBytes", "submissionQueueLength");
  static final List<String> PRESSURE_TRANSITION_KEYS = List.of("lowToMedium", "mediumToHigh", "highToMedium",
      "mediumToLow");
  /** ResourceMeteringInterval: a second at least (the edge reads a level, it never waits for one), an hour at most. */
  static final long MAX_RESOURCE_METERING_SECONDS = 3600;
  /** A submission backlog threshold above this is no back pressure at all. */
  static final long MAX_SUBMISSION_QUEUE_THRESHOLD = 1_000_000_000L;
  /** Exchange's DelayNotificationTimeout range: 00:00:01 to 30.00:00:00. */
  static final long MAX_DELAY_NOTIFICATION_SECONDS = Duration.ofDays(30).toSeconds();
  /** Exchange's TransientFailureRetryAttempts range: 0 to 15. */
  static final int MAX_TRANSIENT_FAILURE_RETRY_ATTEMPTS = 15;
  /** Exchange's TransientFailureRetryInterval range: 00:00:01 to 12:00:00. */
  static final long MAX_TRANSIENT_FAILURE_RETRY_SECONDS = Duration.ofHours(12).toSeconds();
  /** Exchange's OutboundConnectionFailureRetryInterval range: 00:00:01 to 20.00:00:00. */
  static final long MAX_OUTBOUND_CONNECTION_FAILURE_RETRY_SECONDS = Duration.ofDays(20).toSeconds();
  /** Exchange's MessageRetryInterval range: 00:00:01 to 1.00:00:00. */
  static final long MAX_MESSAGE_RETRY_SECONDS = Duration.ofDays(1).toSeconds();
  /** Exchange's MessageExpirationTimeout range: 00:00:05 to 90.00:00:00. */
  static final long MIN_MESSAGE_EXPIRATION_SECONDS = 5;
  static final long MAX_MESSAGE_EXPIRATION_SECONDS = Duration.ofDays(90).toSeconds();
  /** Exchange's EnhancedTimeSpan limit for log ages: 24855.03:14:07 (Int32.MaxValue seconds). */
  static final long MAX_LOG_AGE_SECONDS = Integer.MAX_VALUE;

  private static final Pattern BRACKETED = Pattern.compile("\\[([^\\]]*)\\](?::(.*))?");
  private static final Pattern ADDRESS_SPACE = Pattern.compile("(?:([A-Za-z0-9]+):)?([^;]*)(?:;(.*))?");

  private final ConfigErrors errors;
  /** Sections left out of the file and filled in; the validator does not check what it filled in. */
  private final Set<String> implied = new LinkedHashSet<>();

  /** Relative certificate paths are resolved against this (the organization file's directory). */
  private final Path baseDir;

  OrganizationReader(ConfigErrors errors) {
    this(errors, Path.of(""));
  }

  OrganizationReader(ConfigErrors errors, Path baseDir) {
    this.errors = errors;
    this.baseDir = baseDir;
  }

  Set<String> implied() {
    return implied;
  }

  Organization read(Node root) {
    YamlMapping top = YamlMapping.of(root, "", errors, TOP_KEYS, EXTENSION_PREFIX);
    String serverName = serverName(top, "serverName");
    String siteName = top.text("siteName", DEFAULT_SITE_NAME).strip();
    KafkaTopics kafka = kafka(YamlMapping.of(top.node("kafka"), "kafka", errors, KAFKA_KEYS));
    List<AcceptedDomain> acceptedDomains = items(top, "acceptedDomains", this::acceptedDomain);
    top.requireItems("acceptedDomains", acceptedDomains, 1,
        "required: at least one accepted domain (the domains this organization receives mail for)");
    String defaultConnectorFqdn = defaultConnectorFqdn(serverName, acceptedDomains);
    // no key at all: Exchange's default set (ports 25, 587, 465); an explicit [] means no listener
    List<ReceiveConnector> receiveConnectors = top.has("receiveConnectors")
        ? items(top, "receiveConnectors", (node, path) -> receiveConnector(node, path, defaultConnectorFqdn))
        : implied("receiveConnectors", DefaultReceiveConnectors.of(serverName, defaultConnectorFqdn));
    List<SendConnector> sendConnectors = items(top, "sendConnectors",
        (node, path) -> sendConnector(node, path, defaultConnectorFqdn));
    List<Site> sites = top.has("sites") ? items(top, "sites", this::site)
        : implied("sites", List.of(new Site(siteName, false)));
    List<SiteLink> siteLinks = items(top, "siteLinks", this::siteLink);
    List<Server> servers = top.has("servers") ? items(top, "servers", (n, p) -> server(n, p, siteName))
        : implied("servers", List.of(new Server(serverName, siteName)));
    List<MailboxDatabase> databases = top.has("databases")
        ? items(top, "databases", (n, p) -> database(n, p, serverName))
        : implied("databases", List.of(new MailboxDatabase(IMPLIED_DATABASE_NAME, List.of(serverName), serverName, null)));
    String firstDatabase = databases.isEmpty() ? "" : databases.get(0).name();
    List<Mailbox> mailboxes = items(top, "mailboxes", (n, p) -> mailbox(n, p, firstDatabase));
    List<DistributionGroup> groups = items(top, "groups", this::group);
    List<MailContact> contacts = items(top, "contacts", (n, p) -> {
      YamlMapping m = YamlMapping.of(n, p, errors, TARGET_ADDRESS_KEYS);
      return new MailContact(m.requiredText("name"), address(m, "primarySmtpAddress"),
          address(m, "externalEmailAddress"));
    });
    List<MailUser> mailUsers = items(top, "mailUsers", (n, p) -> {
      YamlMapping m = YamlMapping.of(n, p, errors, TARGET_ADDRESS_KEYS);
      return new MailUser(m.requiredText("name"), address(m, "primarySmtpAddress"),
          address(m, "externalEmailAddress"));
    });
    TransportConfig transportConfig = transportConfig(
        YamlMapping.of(top.node("transportConfig"), "transportConfig", errors, TRANSPORT_CONFIG_KEYS));
    TransportService transportService = transportService(
        YamlMapping.of(top.node("transportService"), "transportService", errors, TRANSPORT_SERVICE_KEYS));
    List<Administrator> administrators = items(top, "administrators", this::administrator);
    checkAdministratorNames(administrators, top.child("administrators"));
    AdminServerSettings adminServer = adminServer(
        YamlMapping.of(top.node("adminServer"), "adminServer", errors, ADMIN_SERVER_KEYS));
    List<Webhook> webhooks = items(top, "webhooks", this::webhook);
    checkWebhookNames(webhooks, top.child("webhooks"));
    return new Organization(serverName, siteName, kafka, acceptedDomains, receiveConnectors, sendConnectors,
        sites, siteLinks, servers, databases, mailboxes, groups, contacts, mailUsers, transportConfig,
        transportService, administrators, adminServer, webhooks);
  }

  /**
   * One {@code webhooks[]} item: name, url and secretFile required; the secret is read now (first line), so a
   * missing or unreadable file stops the start as a send connector's password file does.
   */
  private Webhook webhook(Node node, String path) {
    YamlMapping m = YamlMapping.of(node, path, errors, WEBHOOK_KEYS);
    String name = m.requiredText("name");
    if (!name.isEmpty() && !WEBHOOK_NAME.matcher(name).matches()) {
      errors.add(m.child("name"), "'" + name + "' is not a webhook name: 1-64 letters, digits and . _ -");
    }
    boolean allowInsecureHttp = m.bool("allowInsecureHttp", false);
    String url = m.requiredText("url");
    if (!url.isEmpty()) {
      String problem = webhookUrlProblem(url, allowInsecureHttp);
      if (problem != null) {
        errors.add(m.child("url"), problem);
      }
    }
    String secretFile = m.requiredText("secretFile");
    String secret = null;
    String resolvedFile = secretFile;
    if (!secretFile.isEmpty()) {
      Path resolved = baseDir.resolve(secretFile).toAbsolutePath().normalize();
      resolvedFile = resolved.toString();
      try {
        String text = java.nio.file.Files.readString(resolved, java.nio.charset.StandardCharsets.UTF_8);
        int end = text.indexOf('\n');
        secret = (end < 0 ? text : text.substring(0, end)).replace("\r", "").strip();
        if (secret.isEmpty()) {
          errors.add(m.child("secretFile"), resolved + " is empty: its first line is the HMAC key");
        } else if (secret.length() < MIN_WEBHOOK_SECRET_LENGTH) {
          errors.add(m.child("secretFile"), resolved + ": the key is " + secret.length() + " characters, at least "
              + MIN_WEBHOOK_SECRET_LENGTH + " are needed (openssl rand -hex 32)");
        }
      } catch (java.io.IOException | java.io.UncheckedIOException e) {
        errors.add(m.child("secretFile"), "cannot read " + resolved + ": " + e.getClass().getSimpleName());
      }
    }
    java.util.Set<Webhook.Event> events = java.util.EnumSet.allOf(Webhook.Event.class);
    List<String> names = strings(m, "events");
    if (names != null) {
      events = java.util.EnumSet.noneOf(Webhook.Event.class);
      for (int i = 0; i < names.size(); i++) {
        if (!names.get(i).isBlank()) {
          Webhook.Event event = YamlMapping.choice(names.get(i), Webhook.Event.class,
              m.child("events") + "[" + i + "]", errors, null);
          if (event != null) {
            events.add(event);
          }
        }
      }
      if (names.isEmpty()) {
        errors.add(m.child("events"), "no event: list at least one of Delivered, Deferred, Failed, Bounced "
            + "(or leave the key out for all four; enabled: false turns the webhook off)");
      }
    }
    Duration timeout = Duration.ofSeconds(m.seconds("timeout", Webhook.DEFAULT_TIMEOUT.toSeconds(), 1,
        MAX_WEBHOOK_TIMEOUT_SECONDS));
    Duration maxRetryTime = Duration.ofSeconds(m.seconds("maxRetryTime", Webhook.DEFAULT_MAX_RETRY_TIME.toSeconds(),
        0, MAX_WEBHOOK_RETRY_SECONDS));
    return new Webhook(name, url, resolvedFile, secret, events, timeout, maxRetryTime, m.bool("enabled", true),
        allowInsecureHttp);
  }

  /**
   * Why {@code url} cannot be a webhook's, or null: http or https with a host and no user info (it would be logged);
   * plain http only to a loopback host (localhost, 127.0.0.0/8, ::1) unless {@code allowInsecureHttp}. Never
   * resolved by DNS.
   */
  static String webhookUrlProblem(String url, boolean allowInsecureHttp) {
    java.net.URI uri;
    try {
      uri = new java.net.URI(url);
    } catch (java.net.URISyntaxException e) {
      return "'" + url + "' is not a URL: " + e.getReason();
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      return "'" + url + "' is not an http or https URL";
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      return "'" + url + "' has no host";
    }
    if (uri.getRawUserInfo() != null) {
      return "'" + url + "' has a user name or password in it: webhooks authenticate by their signature";
    }
    if (scheme.equals("http") && !allowInsecureHttp && !isLoopbackHost(uri.getHost())) {
      return "'" + url + "': plain http only to a loopback host (localhost, 127.0.0.1, [::1]); use https, or set "
          + "allowInsecureHttp: true to send notifications unencrypted";
    }
    return null;
  }

  private static boolean isLoopbackHost(String host) {
    String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (h.equalsIgnoreCase("localhost")) {
      return true;
    }
    if (!IpRange.isAddress(h)) {
      return false;
    }
    try {
      return java.net.InetAddress.getByName(h).isLoopbackAddress(); // a literal: no DNS
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  private void checkWebhookNames(List<Webhook> webhooks, String path) {
    Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < webhooks.size(); i++) {
      String name = webhooks.get(i).name();
      if (!name.isEmpty() && !seen.add(name.toLowerCase(Locale.ROOT))) {
        errors.add(path + "[" + i + "].name", "webhook '" + name + "' is listed twice");
      }
    }
  }

  /** One {@code administrators[]} item: name, passwordHash (required: there is no administrator without one), role. */
  private Administrator administrator(Node node, String path) {
    YamlMapping m = YamlMapping.of(node, path, errors, ADMINISTRATOR_KEYS);
    String name = m.requiredText("name").strip();
    if (!name.isEmpty() && !ADMINISTRATOR_NAME.matcher(name).matches()) {
      errors.add(m.child("name"), "'" + name + "' is not an administrator name: 1-64 letters, digits and . _ @ -");
    }
    String passwordHash = m.requiredText("passwordHash").strip();
    if (!passwordHash.isEmpty()) {
      try {
        PasswordHash.parse(passwordHash);
      } catch (IllegalArgumentException e) {
        errors.add(m.child("passwordHash"), e.getMessage());
      }
    }
    String roleText = m.requiredText("role"); // no default: read-only or read-and-act is a choice to make
    Administrator.Role role = roleText.isEmpty() ? null
        : YamlMapping.choice(roleText, Administrator.Role.class, m.child("role"), errors, null);
    List<String> tokenHashes = new ArrayList<>();
    List<String> tokens = strings(m, "tokenHashes");
    if (tokens != null) {
      for (int i = 0; i < tokens.size(); i++) {
        String token = tokens.get(i).strip();
        if (token.isEmpty()) {
          continue; // reported as an empty item
        }
        try {
          PasswordHash.parse(token);
          tokenHashes.add(token);
        } catch (IllegalArgumentException e) {
          errors.add(m.child("tokenHashes") + "[" + i + "]", e.getMessage().replace("mailflow directory hash-password",
              "mailflow directory make-token"));
        }
      }
    }
    return new Administrator(name, passwordHash, role, tokenHashes);
  }

  private void checkAdministratorNames(List<Administrator> administrators, String path) {
    Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < administrators.size(); i++) {
      String name = administrators.get(i).name();
      if (!name.isEmpty() && !seen.add(name)) {
        errors.add(path + "[" + i + "].name", "administrator '" + name + "' is listed twice");
      }
    }
  }

  private AdminServerSettings adminServer(YamlMapping m) {
    String bind = m.text("bindAddress", null);
    if (bind != null) {
      bind = bind.strip();
      if (!IpRange.isAddress(bind)) {
        errors.add(m.child("bindAddress"), "'" + bind + "' is not an IP address (such as 127.0.0.1, 0.0.0.0 or ::)");
        bind = null;
      }
    }
    return new AdminServerSettings(bind, m.bool("metricsRequireLogin", false));
  }

  private <T> List<T> implied(String section, List<T> value) {
    implied.add(section);
    return value;
  }

  /** Reads each item of a list-valued key; an absent key is an empty list. */
  private <T> List<T> items(YamlMapping parent, String key, BiFunction<Node, String, T> reader) {
    List<Node> nodes = parent.list(key);
    List<T> result = new ArrayList<>();
    if (nodes != null) {
      for (int i = 0; i < nodes.size(); i++) {
        result.add(reader.apply(nodes.get(i), parent.child(key) + "[" + i + "]"));
      }
    }
    return result;
  }

  /** A list of single values; blank items are reported and left out. Null when the key is absent. */
  private List<String> strings(YamlMapping parent, String key) {
    List<Node> nodes = parent.list(key);
    if (nodes == null) {
      return null;
    }
    List<String> result = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      String path = parent.child(key) + "[" + i + "]";
      String value = YamlMapping.scalar(nodes.get(i), path, errors);
      if (value == null || value.isBlank()) {
        if (nodes.get(i) instanceof ScalarNode) {
          errors.add(path, "empty item");
        }
        result.add("");
      } else {
        result.add(value.strip());
      }
    }
    return result;
  }

  // ---- top level -------------------------------------------------------------------------------

  private String serverName(YamlMapping parent, String key) {
    String name = parent.requiredText(key);
    if (!name.isEmpty() && (name.contains(".") || !SmtpAddress.isHostName(name))) {
      errors.add(parent.child(key), "server name '" + name + "' must be letters, digits and hyphens (no dots)");
    }
    return name;
  }

  /**
   * Exchange's connector FQDN default is the server's FQDN; ours is the lower-cased server name in the default
   * domain ("localdomain" for a wildcard). Not {@link Organization#serverFqdn()}: that keeps the name's case
   * and strips a wildcard; unifying them would change the connector names existing files load with.
   */
  private static String defaultConnectorFqdn(String serverName, List<AcceptedDomain> acceptedDomains) {
    String domain = acceptedDomains.stream().filter(AcceptedDomain::isDefault).findFirst()
        .or(() -> acceptedDomains.stream().findFirst())
        .map(AcceptedDomain::domainName).filter(d -> !d.startsWith("*")).orElse("localdomain");
    return serverName.toLowerCase(Locale.ROOT) + "." + domain;
  }

  private KafkaTopics kafka(YamlMapping m) {
    int partitions = (int) m.number("partitions", KafkaTopics.DEFAULT_PARTITIONS, 1, Integer.MAX_VALUE, null);
    short replication = (short) m.number("replicationFactor", KafkaTopics.DEFAULT_REPLICATION_FACTOR, 1,
        Short.MAX_VALUE, null);
    return new KafkaTopics(partitions, replication);
  }

  /** Exchange's limits: 'unlimited' reads as Integer.MAX_VALUE; 0 is not allowed (it would stop all mail). */
  private TransportConfig transportConfig(YamlMapping m) {
    int envelope = (int) m.number("maxRecipientEnvelopeLimit", TransportConfig.DEFAULT_MAX_RECIPIENT_ENVELOPE_LIMIT,
        1, Integer.MAX_VALUE, (long) Integer.MAX_VALUE);
    int expansion = (int) m.number("expansionSizeLimit", TransportConfig.DEFAULT_EXPANSION_SIZE_LIMIT,
        1, Integer.MAX_VALUE, (long) Integer.MAX_VALUE);
    List<String> domainSecure = strings(m, "tlsReceiveDomainSecureList");
    if (domainSecure == null) {
      domainSecure = List.of();
    }
    for (int i = 0; i < domainSecure.size(); i++) {
      String domain = domainSecure.get(i);
      if (!domain.isEmpty() && !SmtpAddress.isHostName(domain)) {
        errors.add(m.child("tlsReceiveDomainSecureList") + "[" + i + "]", "'" + domain
            + "' is not a domain name (Exchange's TLSReceiveDomainSecureList takes domains, no wildcards)");
      }
    }
    return new TransportConfig(envelope, expansion, domainSecure.stream().filter(d -> !d.isEmpty()).toList());
  }

  /**
   * Exchange's Set-TransportService protocol-log settings: sizes 1 B to 8 EB or unlimited, the age 0 (keep
   * forever) to 24855.03:14:07. The path stays relative here: the node resolves it against its data directory.
   */
  private TransportService transportService(YamlMapping m) {
    Path logPath = logPath(m, "receiveProtocolLogPath", "<data-dir>/logs/ProtocolLog/SmtpReceive");
    long maxFile = m.size("receiveProtocolLogMaxFileSize",
        TransportService.DEFAULT_RECEIVE_PROTOCOL_LOG_MAX_FILE_SIZE, 1, Long.MAX_VALUE, Long.MAX_VALUE);
    long maxDirectory = m.size("receiveProtocolLogMaxDirectorySize",
        TransportService.DEFAULT_RECEIVE_PROTOCOL_LOG_MAX_DIRECTORY_SIZE, 1, Long.MAX_VALUE, Long.MAX_VALUE);
    Duration maxAge = Duration.ofSeconds(m.seconds("receiveProtocolLogMaxAge",
        TransportService.DEFAULT_RECEIVE_PROTOCOL_LOG_MAX_AGE.toSeconds(), 0, MAX_LOG_AGE_SECONDS));
    // outbound limits and the delay DSN (Exchange's Set-TransportService; wired into delivery by the node)
    int maxOutbound = (int) m.number("maxOutboundConnections", TransportService.DEFAULT_MAX_OUTBOUND_CONNECTIONS, 1,
        Integer.MAX_VALUE, (long) Integer.MAX_VALUE);
    int maxPerDomain = (int) m.number("maxPerDomainOutboundConnections",
        TransportService.DEFAULT_MAX_PER_DOMAIN_OUTBOUND_CONNECTIONS, 1, Integer.MAX_VALUE, (long) Integer.MAX_VALUE);
    int maxMessages = (int) m.number("smtpMaxMessagesPerConnection",
        TransportService.DEFAULT_SMTP_MAX_MESSAGES_PER_CONNECTION, 1, Integer.MAX_VALUE, null);
    Duration delayNotification = Duration.ofSeconds(m.seconds("delayNotificationTimeout",
        TransportService.DEFAULT_DELAY_NOTIFICATION_TIMEOUT.toSeconds(), 1, MAX_DELAY_NOTIFICATION_SECONDS));
    // the retry schedule and expiration (Exchange's fixed glitch retries, 4 at 1 min, come before these)
    int transientAttempts = (int) m.number("transientFailureRetryAttempts",
        TransportService.DEFAULT_TRANSIENT_FAILURE_RETRY_ATTEMPTS, 0, MAX_TRANSIENT_FAILURE_RETRY_ATTEMPTS, null);
    Duration transientInterval = Duration.ofSeconds(m.seconds("transientFailureRetryInterval",
        TransportService.DEFAULT_TRANSIENT_FAILURE_RETRY_INTERVAL.toSeconds(), 1, MAX_TRANSIENT_FAILURE_RETRY_SECONDS));
    Duration outboundInterval = Duration.ofSeconds(m.seconds("outboundConnectionFailureRetryInterval",
        TransportService.DEFAULT_OUTBOUND_CONNECTION_FAILURE_RETRY_INTERVAL.toSeconds(), 1,
        MAX_OUTBOUND_CONNECTION_FAILURE_RETRY_SECONDS));
    Duration messageRetry = Duration.ofSeconds(m.seconds("messageRetryInterval",
        TransportService.DEFAULT_MESSAGE_RETRY_INTERVAL.toSeconds(), 1, MAX_MESSAGE_RETRY_SECONDS));
    Duration expiration = Duration.ofSeconds(m.seconds("messageExpirationTimeout",
        TransportService.DEFAULT_MESSAGE_EXPIRATION_TIMEOUT.toSeconds(), MIN_MESSAGE_EXPIRATION_SECONDS,
        MAX_MESSAGE_EXPIRATION_SECONDS));
    // how often a stage tries a record before parking it on mail.poison.v1 (every stage of this node)
    int poisonThreshold = (int) m.number("poisonThreshold", TransportService.DEFAULT_POISON_THRESHOLD, 1,
        MAX_POISON_THRESHOLD, null);
    BackPressureSettings backPressure = backPressure(
        YamlMapping.of(m.node("backPressure"), m.child("backPressure"), errors, BACK_PRESSURE_KEYS));
    return new TransportService(logPath, maxFile, maxDirectory, maxAge, maxOutbound, maxPerDomain, maxMessages,
        delayNotification, transientAttempts, transientInterval, outboundInterval, messageRetry, expiration,
        poisonThreshold, backPressure, messageTracking(m), sendProtocolLog(m), eventStreams(m),
        m.bool("flushToDiskBeforeAcknowledge", true),
        // past this size a body is written once to mail.bodies.v1 and the queue records carry a reference
        m.size("inlineBodyLimit", TransportService.DEFAULT_INLINE_BODY_LIMIT, TransportService.MIN_INLINE_BODY_LIMIT,
            TransportService.MAX_INLINE_BODY_LIMIT, null));
  }

  /** A log directory key: a relative path is kept relative (the node resolves it against its data directory). */
  private Path logPath(YamlMapping m, String key, String dflt) {
    String pathText = m.text(key, null);
    if (pathText == null) {
      return null;
    }
    if (pathText.isBlank()) {
      errors.add(m.child(key), "empty path; leave the key out for the default (" + dflt + ")");
      return null;
    }
    try {
      return Path.of(pathText.strip());
    } catch (java.nio.file.InvalidPathException e) {
      errors.add(m.child(key), "'" + pathText.strip() + "' is not a valid path: " + e.getReason());
      return null;
    }
  }

  /** Exchange's MessageTrackingLog* settings of Set-TransportService, with its limits and defaults. */
  private MessageTrackingLogSettings messageTracking(YamlMapping m) {
    return new MessageTrackingLogSettings(
        m.bool("messageTrackingLogEnabled", true),
        logPath(m, "messageTrackingLogPath", "<data-dir>/logs/MessageTracking"),
        Duration.ofSeconds(m.seconds("messageTrackingLogMaxAge",
            MessageTrackingLogSettings.DEFAULT_MAX_AGE.toSeconds(), 0, MAX_LOG_AGE_SECONDS)),
        m.size("messageTrackingLogMaxDirectorySize", MessageTrackingLogSettings.DEFAULT_MAX_DIRECTORY_SIZE, 1,
            Long.MAX_VALUE, Long.MAX_VALUE),
        m.size("messageTrackingLogMaxFileSize", MessageTrackingLogSettings.DEFAULT_MAX_FILE_SIZE, 1, Long.MAX_VALUE,
            Long.MAX_VALUE),
        m.bool("messageTrackingLogSubjectLoggingEnabled", true));
  }

  /** Exchange's SendProtocolLog* settings of Set-TransportService, with its limits and defaults. */
  private SendProtocolLogSettings sendProtocolLog(YamlMapping m) {
    return new SendProtocolLogSettings(
        logPath(m, "sendProtocolLogPath", "<data-dir>/logs/ProtocolLog/SmtpSend"),
        Duration.ofSeconds(m.seconds("sendProtocolLogMaxAge", SendProtocolLogSettings.DEFAULT_MAX_AGE.toSeconds(), 0,
            MAX_LOG_AGE_SECONDS)),
        m.size("sendProtocolLogMaxDirectorySize", SendProtocolLogSettings.DEFAULT_MAX_DIRECTORY_SIZE, 1,
            Long.MAX_VALUE, Long.MAX_VALUE),
        m.size("sendProtocolLogMaxFileSize", SendProtocolLogSettings.DEFAULT_MAX_FILE_SIZE, 1, Long.MAX_VALUE,
            Long.MAX_VALUE),
        m.choice("intraOrgConnectorProtocolLoggingLevel", ReceiveConnector.ProtocolLoggingLevel.class,
            SendProtocolLogSettings.DEFAULT_INTRA_ORG_CONNECTOR_PROTOCOL_LOGGING_LEVEL));
  }

  /** How the tracking and protocol event streams are encoded: Avro, Json (the default) or Both. */
  private EventStreamSettings eventStreams(YamlMapping m) {
    return new EventStreamSettings(
        m.choice("trackingEventFormat", EventStreamSettings.EventFormat.class, EventStreamSettings.EventFormat.Json),
        m.choice("protocolEventFormat", EventStreamSettings.EventFormat.class, EventStreamSettings.EventFormat.Json));
  }

  /**
   * Exchange's back pressure settings: percentages 1-100 for the drive and the heap, a message count for the
   * submission backlog; each threshold left out takes Exchange's default. databaseUsedSpace left out entirely
   * takes Exchange's formula from the drive's size (the node applies it when it knows the drive).
   */
  private BackPressureSettings backPressure(YamlMapping m) {
    boolean enabled = m.bool("enableResourceMonitoring", true);
    Duration interval = Duration.ofSeconds(m.seconds("resourceMeteringInterval",
        BackPressureSettings.DEFAULT_RESOURCE_METERING_INTERVAL.toSeconds(), 1, MAX_RESOURCE_METERING_SECONDS));
    PressureTransitions disk = m.has("databaseUsedSpace")
        ? transitions(m, "databaseUsedSpace", BackPressureSettings.DEFAULT_DATABASE_USED_SPACE, 100) : null;
    PressureTransitions heap = transitions(m, "privateBytes", BackPressureSettings.DEFAULT_PRIVATE_BYTES, 100);
    PressureTransitions queue = transitions(m, "submissionQueueLength",
        BackPressureSettings.DEFAULT_SUBMISSION_QUEUE_LENGTH, MAX_SUBMISSION_QUEUE_THRESHOLD);
    return new BackPressureSettings(enabled, interval, disk, heap, queue);
  }

  /** One resource's four transitions; thresholds that do not make levels are reported and Exchange's used. */
  private PressureTransitions transitions(YamlMapping parent, String key, PressureTransitions dflt, long max) {
    YamlMapping m = YamlMapping.of(parent.node(key), parent.child(key), errors, PRESSURE_TRANSITION_KEYS);
    long lowToMedium = m.number("lowToMedium", dflt.lowToMedium(), 1, max, null);
    long mediumToHigh = m.number("mediumToHigh", dflt.mediumToHigh(), 1, max, null);
    long highToMedium = m.number("highToMedium", dflt.highToMedium(), 1, max, null);
    long mediumToLow = m.number("mediumToLow", dflt.mediumToLow(), 1, max, null);
    String problem = PressureTransitions.problem(lowToMedium, mediumToHigh, highToMedium, mediumToLow);
    if (problem != null) {
      errors.add(m.path(), problem + " (Exchange's: lowToMedium " + dflt.lowToMedium() + ", mediumToHigh "
          + dflt.mediumToHigh() + ", highToMedium " + dflt.highToMedium() + ", mediumToLow " + dflt.mediumToLow() + ")");
      return dflt;
    }
    return new PressureTransitions(lowToMedium, mediumToHigh, highToMedium, mediumToLow);
  }

  private AcceptedDomain acceptedDomain(Node node, String path) {
    String name;
    DomainType type = DomainType.Authoritative; // New-AcceptedDomain's default
    boolean isDefault = false;
    if (node instanceof ScalarNode scalar) { // shorthand: "- contoso.com"
      name = scalar.getValue().strip();
      if (name.isEmpty()) {
        errors.add(path, "empty item");
      }
    } else {
      YamlMapping m = YamlMapping.of(node, path, errors, ACCEPTED_DOMAIN_KEYS);
      name = m.requiredText("domainName");
      path = m.child("domainName");
      type = m.choice("type", DomainType.class, type);
      if (m.has("default") && m.has("isDefault")) {
        errors.add(m.child("isDefault"), "give either default or isDefault, not both");
      }
      isDefault = m.bool("default", m.bool("isDefault", false));
    }
    if (!name.isEmpty()) {
      String host = name.startsWith("*.") ? name.substring(2) : name;
      if (name.equals("*")) {
        errors.add(path, "'*' would accept mail for every domain (an open relay); name the domains");
      } else if (!SmtpAddress.isHostName(host)) {
        errors.add(path, "'" + name + "' is not a domain name (contoso.com or *.contoso.com)");
      }
    }
    return new AcceptedDomain(name, type, isDefault);
  }

  // ---- receive connectors ----------------------------------------------------------------------

  private ReceiveConnector receiveConnector(Node node, String path, String defaultConnectorFqdn) {
    YamlMapping m = YamlMapping.of(node, path, errors, RECEIVE_CONNECTOR_KEYS);
    String name = m.requiredText("name");

    List<Binding> bindings = new ArrayList<>();
    List<String> bindingTexts = strings(m, "bindings");
    m.requireItems("bindings", bindingTexts, 1, "required: at least one address:port to listen on, e.g. 127.0.0.1:2525");
    if (bindingTexts != null) {
      for (int i = 0; i < bindingTexts.size(); i++) {
        Binding binding = binding(bindingTexts.get(i), m.child("bindings") + "[" + i + "]");
        if (binding != null) {
          bindings.add(binding);
        }
      }
    }

    List<String> ranges = strings(m, "remoteIpRanges");
    if (ranges == null) {
      ranges = ReceiveConnector.DEFAULT_REMOTE_IP_RANGES;
    } else if (ranges.isEmpty()) {
      errors.add(m.child("remoteIpRanges"), "empty: no client could connect; leave the key out to allow every address");
    } else {
      for (int i = 0; i < ranges.size(); i++) {
        if (!ranges.get(i).isEmpty()) {
          try {
            IpRange.parse(ranges.get(i));
          } catch (IllegalArgumentException e) {
            errors.add(m.child("remoteIpRanges") + "[" + i + "]", e.getMessage());
          }
        }
      }
    }

    // Exchange makes the admin choose; left out, we choose what New-ReceiveConnector -Usage Internet does.
    Set<PermissionGroup> permissions = choices(m, "permissionGroups", PermissionGroup.class,
        EnumSet.of(PermissionGroup.AnonymousUsers), "nobody could send through this connector");
    // Exchange's AuthMechanism default is Tls (offer STARTTLS).
    Set<AuthMechanism> auth = choices(m, "authMechanisms", AuthMechanism.class, EnumSet.of(AuthMechanism.Tls),
        "write [None] for no authentication and no STARTTLS");
    checkAuthCombination(m, permissions, auth);

    String fqdn = m.text("fqdn", defaultConnectorFqdn).strip();
    if (!fqdn.isEmpty() && !SmtpAddress.isHostName(fqdn)) {
      errors.add(m.child("fqdn"), "'" + fqdn + "' is not a host name");
    }
    String banner = m.text("banner", null);
    if (banner != null && (!banner.startsWith("220 ") || banner.contains("\n") || banner.contains("\r"))) {
      errors.add(m.child("banner"), "a banner is one line starting with '220 ' (as in Exchange), got '"
          + banner.replace("\n", "\\n") + "'");
    }

    long maxMessageSize = m.size("maxMessageSize", ReceiveConnector.DEFAULT_MAX_MESSAGE_SIZE, 65536,
        MAX_EXCHANGE_SIZE, null);
    int maxRecipients = (int) m.number("maxRecipientsPerMessage",
        ReceiveConnector.DEFAULT_MAX_RECIPIENTS_PER_MESSAGE, 1, 512_000, null);
    int maxInbound = (int) m.number("maxInboundConnection", ReceiveConnector.DEFAULT_MAX_INBOUND_CONNECTION, 1,
        Integer.MAX_VALUE, (long) Integer.MAX_VALUE);
    int maxPerSource = (int) m.number("maxInboundConnectionPerSource",
        ReceiveConnector.DEFAULT_MAX_INBOUND_CONNECTION_PER_SOURCE, 1, 10_000, (long) Integer.MAX_VALUE);
    int maxHeaderSize = (int) m.size("maxHeaderSize", ReceiveConnector.DEFAULT_MAX_HEADER_SIZE, 1,
        MAX_EXCHANGE_SIZE, null);
    int maxProtocolErrors = (int) m.number("maxProtocolErrors", ReceiveConnector.DEFAULT_MAX_PROTOCOL_ERRORS, 0,
        Integer.MAX_VALUE, (long) Integer.MAX_VALUE);
    int timeout = (int) m.seconds("connectionTimeout", ReceiveConnector.DEFAULT_CONNECTION_TIMEOUT_SECONDS, 1,
        MAX_TIMEOUT_SECONDS);
    int inactivity = (int) m.seconds("connectionInactivityTimeout",
        ReceiveConnector.DEFAULT_CONNECTION_INACTIVITY_TIMEOUT_SECONDS, 1, MAX_TIMEOUT_SECONDS);
    if (inactivity >= timeout) { // Exchange refuses this too: the session limit would never be the one hit
      errors.add(m.child(m.has("connectionInactivityTimeout") ? "connectionInactivityTimeout" : "connectionTimeout"),
          "connectionInactivityTimeout (" + inactivity + "s) must be less than connectionTimeout (" + timeout + "s)");
    }
    ReceiveConnector.ProtocolLoggingLevel protocolLogging = m.choice("protocolLoggingLevel",
        ReceiveConnector.ProtocolLoggingLevel.class, ReceiveConnector.DEFAULT_PROTOCOL_LOGGING_LEVEL);
    ReceiveConnector.Certificate certificate = m.has("certificate")
        ? certificate(YamlMapping.of(m.node("certificate"), m.child("certificate"), errors, CERTIFICATE_KEYS)) : null;
    boolean implicitTls = m.bool("implicitTls", false);
    int maxLogonFailures = (int) m.number("maxLogonFailures", ReceiveConnector.DEFAULT_MAX_LOGON_FAILURES, 0,
        MAX_LOGON_FAILURES, null);
    Duration tarpit = Duration.ofSeconds(m.seconds("tarpitInterval",
        ReceiveConnector.DEFAULT_TARPIT_INTERVAL.toSeconds(), 0, MAX_TARPIT_SECONDS));
    List<ReceiveConnector.Permission> grants = items(m, "permissions", this::permission);
    int messageRateLimit = (int) m.number("messageRateLimit", ReceiveConnector.DEFAULT_MESSAGE_RATE_LIMIT, 1,
        Integer.MAX_VALUE, (long) ReceiveConnector.UNLIMITED);
    ReceiveConnector.MessageRateSource messageRateSource = m.choice("messageRateSource",
        ReceiveConnector.MessageRateSource.class, ReceiveConnector.DEFAULT_MESSAGE_RATE_SOURCE);
    List<String> trusted = trustedCertificates(m);
    checkServerAuthentication(m, permissions, auth, implicitTls, trusted);
    boolean requireTls = m.bool("requireTls", false);
    if (requireTls && !implicitTls && !auth.contains(AuthMechanism.Tls)) {
      errors.add(m.child("requireTls"), "requireTls needs authMechanisms Tls (or implicitTls: true): otherwise no "
          + "session could ever send mail");
    }
    return new ReceiveConnector(name, bindings, ranges, permissions, auth, fqdn, banner, maxMessageSize,
        maxRecipients, maxInbound, maxPerSource, maxHeaderSize, maxProtocolErrors, timeout, inactivity,
        protocolLogging, certificate, implicitTls, maxLogonFailures, tarpit, grants, messageRateLimit,
        messageRateSource, trusted, requireTls, tlsCipherSuites(m), authFailureLimits(m));
  }

  /**
   * Failed AUTH across sessions: thresholds 0 (never) to 1000, the window 1 second to 1 day; refusing
   * before tarpitting is allowed (a tarpit threshold of 0), refusing at fewer failures than tarpitting is not.
   */
  private ReceiveConnector.AuthFailureLimits authFailureLimits(YamlMapping m) {
    ReceiveConnector.AuthFailureLimits d = ReceiveConnector.AuthFailureLimits.DEFAULT;
    int tarpit = (int) m.number("authFailureTarpitThreshold", d.tarpitThreshold(), 0, MAX_AUTH_FAILURE_THRESHOLD, null);
    int refusal = (int) m.number("authFailureRefusalThreshold", d.refusalThreshold(), 0, MAX_AUTH_FAILURE_THRESHOLD,
        null);
    long window = m.seconds("authFailureWindow", d.window().toSeconds(), 1, MAX_TIMEOUT_SECONDS);
    if (tarpit > 0 && refusal > 0 && refusal < tarpit) {
      errors.add(m.child("authFailureRefusalThreshold"), "authFailureRefusalThreshold (" + refusal
          + ") must not be less than authFailureTarpitThreshold (" + tarpit + "): a client would be refused before "
          + "it is slowed down");
      refusal = tarpit;
    }
    return new ReceiveConnector.AuthFailureLimits(tarpit, refusal, Duration.ofSeconds(window));
  }

  /** tlsCipherSuites: forward-secret AEAD suites this JVM has; absent, the intermediate default. */
  private List<String> tlsCipherSuites(YamlMapping m) {
    List<String> suites = strings(m, "tlsCipherSuites");
    if (suites == null) {
      return TlsCipherPolicy.DEFAULT_CIPHER_SUITES;
    }
    List<String> result = new ArrayList<>();
    for (int i = 0; i < suites.size(); i++) {
      if (suites.get(i).isEmpty()) {
        continue; // reported by strings()
      }
      String problem = TlsCipherPolicy.problem(suites.get(i));
      if (problem != null) {
        errors.add(m.child("tlsCipherSuites") + "[" + i + "]", problem);
      } else if (!result.contains(suites.get(i))) {
        result.add(suites.get(i));
      }
    }
    if (result.isEmpty() && suites.stream().allMatch(String::isEmpty)) {
      errors.add(m.child("tlsCipherSuites"), "no cipher suite: leave the key out for the default list");
    }
    return result;
  }

  /** trustedCertificates: PEM files (CA or self-signed certificates), checked now so a bad path has its line. */
  private List<String> trustedCertificates(YamlMapping m) {
    List<String> files = strings(m, "trustedCertificates");
    if (files == null) {
      return List.of();
    }
    List<String> resolved = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      if (files.get(i).isEmpty()) {
        continue;
      }
      Path file = baseDir.resolve(files.get(i)).toAbsolutePath().normalize();
      String problem = PemFiles.certificateProblem(file);
      if (problem != null) {
        errors.add(m.child("trustedCertificates") + "[" + i + "]", problem);
      }
      resolved.add(file.toString());
    }
    return resolved;
  }

  /**
   * Server authentication needs what it stands on: ExternalAuthoritative the ExchangeServers group (as in
   * Exchange); ExchangeServer (a server's TLS client certificate) TLS and certificates to check it against.
   */
  private void checkServerAuthentication(YamlMapping m, Set<PermissionGroup> permissions, Set<AuthMechanism> auth,
      boolean implicitTls, List<String> trusted) {
    boolean tls = implicitTls || auth.contains(AuthMechanism.Tls);
    if (auth.contains(AuthMechanism.ExternalAuthoritative) && !permissions.contains(PermissionGroup.ExchangeServers)) {
      errors.add(m.child("authMechanisms"), "ExternalAuthoritative needs permissionGroups ExchangeServers (as in "
          + "Exchange): every session on the connector is treated as an authenticated Exchange server");
    }
    if (auth.contains(AuthMechanism.ExchangeServer) && !tls) {
      errors.add(m.child("authMechanisms"), "ExchangeServer authenticates servers by their TLS client certificate: "
          + "it needs Tls (or implicitTls: true)");
    }
    if (auth.contains(AuthMechanism.ExchangeServer) && trusted.isEmpty()) {
      errors.add(m.child("authMechanisms"), "ExchangeServer needs trustedCertificates: the PEM CA (or server) "
          + "certificates a server's client certificate must chain to");
    }
    if (m.has("trustedCertificates") && !tls) {
      errors.add(m.child("trustedCertificates"), "client certificates are asked for in the TLS handshake: the "
          + "connector needs authMechanisms Tls (or implicitTls: true)");
    }
  }

  /** {certFile, keyFile}: PEM files, checked now so a wrong path is reported with its line. */
  private ReceiveConnector.Certificate certificate(YamlMapping m) {
    String certFile = m.requiredText("certFile");
    String keyFile = m.requiredText("keyFile");
    Path cert = certFile.isEmpty() ? null : baseDir.resolve(certFile).toAbsolutePath().normalize();
    Path key = keyFile.isEmpty() ? null : baseDir.resolve(keyFile).toAbsolutePath().normalize();
    if (cert != null) {
      String problem = PemFiles.certificateProblem(cert);
      if (problem != null) {
        errors.add(m.child("certFile"), problem);
      }
    }
    if (key != null) {
      String problem = PemFiles.privateKeyProblem(key);
      if (problem != null) {
        errors.add(m.child("keyFile"), problem);
      }
    }
    return new ReceiveConnector.Certificate(cert == null ? "" : cert.toString(), key == null ? "" : key.toString());
  }

  /** {user, extendedRights: [ms-Exch-...], deny}: Exchange's Add-ADPermission on the connector. */
  private ReceiveConnector.Permission permission(Node node, String path) {
    YamlMapping m = YamlMapping.of(node, path, errors, PERMISSION_KEYS);
    String user = m.requiredText("user");
    if (!user.isEmpty() && !user.equalsIgnoreCase(ReceiveConnector.Permission.ANONYMOUS_LOGON)
        && !user.equalsIgnoreCase(ReceiveConnector.Permission.AUTHENTICATED_USERS)) {
      try {
        SmtpAddress.parse(user);
      } catch (IllegalArgumentException e) {
        errors.add(m.child("user"), "'" + user + "' is neither a mailbox or group address nor one of '"
            + ReceiveConnector.Permission.ANONYMOUS_LOGON + "', '" + ReceiveConnector.Permission.AUTHENTICATED_USERS
            + "'");
      }
    }
    Set<ExtendedRight> rights = EnumSet.noneOf(ExtendedRight.class);
    List<String> names = strings(m, "extendedRights");
    m.requireItems("extendedRights", names, 1, "required: at least one right, e.g. [ms-Exch-SMTP-Accept-Any-Recipient]");
    if (names != null) {
      for (int i = 0; i < names.size(); i++) {
        String rightName = names.get(i);
        if (rightName.isEmpty()) {
          continue;
        }
        Optional<ExtendedRight> right = ExtendedRight.byExchangeName(rightName);
        if (right.isPresent()) {
          rights.add(right.get());
        } else {
          errors.add(m.child("extendedRights") + "[" + i + "]", "'" + rightName + "' is not one of "
              + Arrays.stream(ExtendedRight.values()).map(ExtendedRight::exchangeName).collect(Collectors.joining(", ")));
        }
      }
    }
    return new ReceiveConnector.Permission(user, rights, m.bool("deny", false));
  }

  /** "127.0.0.1:2525", "0.0.0.0:25", "[::1]:2525". */
  private Binding binding(String text, String path) {
    if (text.isEmpty()) {
      return null;
    }
    String address;
    String port;
    Matcher bracketed = BRACKETED.matcher(text);
    if (bracketed.matches()) {
      address = bracketed.group(1);
      port = bracketed.group(2);
    } else if (text.indexOf(':') != text.lastIndexOf(':')) {
      errors.add(path, "write IPv6 bindings with brackets, e.g. [::1]:2525, got '" + text + "'");
      return null;
    } else {
      int colon = text.indexOf(':');
      address = colon < 0 ? text : text.substring(0, colon);
      port = colon < 0 ? null : text.substring(colon + 1);
    }
    if (port == null || port.isBlank()) {
      errors.add(path, "missing port: write address:port, e.g. 127.0.0.1:2525 or [::1]:2525");
      return null;
    }
    boolean ok = true;
    if (!IpRange.isAddress(address)) {
      errors.add(path, "'" + address + "' is not an IP address (bindings take IP addresses such as 0.0.0.0 or ::)");
      ok = false;
    }
    Integer p = numberInScalar("port", port.strip(), MAX_PORT, path);
    return ok && p != null ? new Binding(address.strip(), p) : null;
  }

  /**
   * A whole number from 1 to {@code max} written inside a scalar (the port of "host:port", the cost of
   * "SMTP:domain;cost"), named {@code what} in the problem it reports; null after reporting one.
   */
  private Integer numberInScalar(String what, String text, int max, String path) {
    try {
      long number = Quantities.number(text);
      if (number < 1 || number > max) {
        errors.add(path, what + " " + number + " out of range (1-" + max + ")");
        return null;
      }
      return (int) number;
    } catch (IllegalArgumentException e) {
      errors.add(path, what + " '" + text + "' is not a number");
      return null;
    }
  }

  private <E extends Enum<E>> Set<E> choices(YamlMapping m, String key, Class<E> type, Set<E> dflt, String whyNotEmpty) {
    List<String> texts = strings(m, key);
    if (texts == null) {
      return dflt;
    }
    if (texts.isEmpty()) {
      errors.add(m.child(key), "empty: " + whyNotEmpty);
      return dflt;
    }
    Set<E> result = EnumSet.noneOf(type);
    for (int i = 0; i < texts.size(); i++) {
      if (!texts.get(i).isEmpty()) {
        E value = YamlMapping.choice(texts.get(i), type, m.child(key) + "[" + i + "]", errors, null);
        if (value != null && !result.add(value)) {
          errors.add(m.child(key) + "[" + i + "]", value + " listed twice");
        }
      }
    }
    return result;
  }

  /** Combinations Exchange refuses, or that would leave a connector nobody can use as configured. */
  private void checkAuthCombination(YamlMapping m, Set<PermissionGroup> permissions, Set<AuthMechanism> auth) {
    String path = m.child("authMechanisms");
    if (auth.contains(AuthMechanism.None) && auth.size() > 1) {
      errors.add(path, "None cannot be combined with other mechanisms");
    }
    if (auth.contains(AuthMechanism.BasicAuthRequireTLS)
        && !(auth.contains(AuthMechanism.BasicAuth) && auth.contains(AuthMechanism.Tls))) {
      errors.add(path, "BasicAuthRequireTLS also needs BasicAuth and Tls (as in Exchange)");
    }
    if (permissions.contains(PermissionGroup.ExchangeUsers) && !auth.contains(AuthMechanism.BasicAuth)) {
      errors.add(m.child("permissionGroups"), "ExchangeUsers needs authMechanisms BasicAuth: users are known only after AUTH");
    }
  }

  // ---- send connectors -------------------------------------------------------------------------

  private SendConnector sendConnector(Node node, String path, String defaultConnectorFqdn) {
    YamlMapping m = YamlMapping.of(node, path, errors, SEND_CONNECTOR_KEYS);
    String name = m.requiredText("name");
    int port = (int) m.number("port", SendConnector.DEFAULT_PORT, 1, MAX_PORT, null);
    List<AddressSpace> spaces = items(m, "addressSpaces", this::addressSpace);
    m.requireItems("addressSpaces", spaces, 1, "required: the domains this connector sends to, e.g. [\"*\"]");
    List<SmartHost> smartHosts = items(m, "smartHosts", (n, p) -> smartHost(n, p, port));
    // Exchange: 0-2 GB or unlimited; unlimited reads as Long.MAX_VALUE so "size > max" needs no special case.
    long maxMessageSize = m.size("maxMessageSize", SendConnector.DEFAULT_MAX_MESSAGE_SIZE, 0, MAX_EXCHANGE_SIZE,
        Long.MAX_VALUE);
    List<String> sources = strings(m, "sourceTransportServers");
    String fqdn = m.text("fqdn", defaultConnectorFqdn).strip();
    if (!fqdn.isEmpty() && !SmtpAddress.isHostName(fqdn)) {
      errors.add(m.child("fqdn"), "'" + fqdn + "' is not a host name");
    }
    // dnsServer: "host[:port]" as smart hosts are written; port 53 unless given (tests use an ephemeral one)
    Node dnsNode = m.node("dnsServer");
    SendConnector.DnsServer dnsServer = null;
    if (dnsNode != null) {
      SmartHost dns = smartHost(dnsNode, m.child("dnsServer"), SendConnector.DEFAULT_DNS_PORT);
      dnsServer = new SendConnector.DnsServer(dns.host(), dns.port());
    }
    return new SendConnector(name, spaces, smartHosts, port, maxMessageSize, sources == null ? List.of() : sources,
        fqdn, dnsServer, sendSecurity(m, !smartHosts.isEmpty()),
        m.choice("protocolLoggingLevel", ReceiveConnector.ProtocolLoggingLevel.class,
            SendConnector.DEFAULT_PROTOCOL_LOGGING_LEVEL));
  }

  /** RequireTLS, TlsAuthLevel, TlsDomain, trusted CAs, SmartHostAuthMechanism and its credential (Exchange's rules). */
  private SendConnector.Security sendSecurity(YamlMapping m, boolean smartHosts) {
    boolean requireTls = m.bool("requireTls", false);
    SendConnector.TlsAuthLevel level = m.choice("tlsAuthLevel", SendConnector.TlsAuthLevel.class, null);
    if (level != null && !requireTls) {
      errors.add(m.child("tlsAuthLevel"), "needs requireTls: true (as in Exchange); opportunistic TLS checks no certificate");
    }
    level = level == null ? SendConnector.TlsAuthLevel.EncryptionOnly : level;
    String tlsDomain = m.text("tlsDomain", null);
    if (level == SendConnector.TlsAuthLevel.DomainValidation && (tlsDomain == null || tlsDomain.isBlank())) {
      errors.add(m.child("tlsDomain"), "required with tlsAuthLevel DomainValidation: the domain the certificate must name");
    } else if (tlsDomain != null && level != SendConnector.TlsAuthLevel.DomainValidation) {
      errors.add(m.child("tlsDomain"), "only with tlsAuthLevel DomainValidation");
    }
    if (tlsDomain != null && !tlsDomain.isBlank() && !SmtpAddress.isHostName(tlsDomain.strip())) {
      errors.add(m.child("tlsDomain"), "'" + tlsDomain + "' is not a domain name");
    }
    List<String> trusted = trustedCertificates(m);
    if (!trusted.isEmpty() && level == SendConnector.TlsAuthLevel.EncryptionOnly) {
      errors.add(m.child("trustedCertificates"),
          "only with tlsAuthLevel CertificateValidation or DomainValidation: EncryptionOnly checks no certificate");
    }
    SendConnector.SmartHostAuthMechanism auth = m.choice("smartHostAuthMechanism",
        SendConnector.SmartHostAuthMechanism.class, SendConnector.SmartHostAuthMechanism.None);
    SendConnector.Credential credential = null;
    Node credentialNode = m.node("authenticationCredential");
    if (auth != SendConnector.SmartHostAuthMechanism.None) {
      if (!smartHosts) {
        errors.add(m.child("smartHostAuthMechanism"), auth + " authenticates to smart hosts: the connector has none");
      }
      if (credentialNode == null) {
        errors.add(m.child("authenticationCredential"), "required with smartHostAuthMechanism " + auth
            + ": {username, passwordFile}");
      } else {
        credential = credential(credentialNode, m.child("authenticationCredential"));
      }
    } else if (credentialNode != null) {
      errors.add(m.child("authenticationCredential"), "only with smartHostAuthMechanism BasicAuth or BasicAuthRequireTLS");
    }
    return new SendConnector.Security(requireTls, level, tlsDomain == null ? null : tlsDomain.strip(), trusted,
        auth, credential);
  }

  /** {username, passwordFile}: the password stays out of the YAML; the file is read now (first line). */
  private SendConnector.Credential credential(Node node, String path) {
    YamlMapping c = YamlMapping.of(node, path, errors, CREDENTIAL_KEYS);
    String username = c.requiredText("username");
    String file = c.requiredText("passwordFile");
    if (file == null || file.isEmpty()) {
      return null;
    }
    Path resolved = baseDir.resolve(file).toAbsolutePath().normalize();
    String password;
    try {
      String text = java.nio.file.Files.readString(resolved, java.nio.charset.StandardCharsets.UTF_8);
      int end = text.indexOf('\n');
      password = (end < 0 ? text : text.substring(0, end)).replace("\r", "");
    } catch (java.io.IOException | java.io.UncheckedIOException e) {
      errors.add(c.child("passwordFile"), "cannot read " + resolved + ": " + e.getClass().getSimpleName());
      return null;
    }
    if (password.isEmpty()) {
      errors.add(c.child("passwordFile"), resolved + " is empty: its first line is the password");
      return null;
    }
    return new SendConnector.Credential(username, resolved.toString(), password);
  }

  /** "*", "contoso.com", "*.contoso.com", Exchange's "SMTP:contoso.com;10", or {domain, cost}. */
  private AddressSpace addressSpace(Node node, String path) {
    String domain;
    int cost = SendConnector.DEFAULT_ADDRESS_SPACE_COST;
    String domainPath = path;
    if (node instanceof ScalarNode scalar) {
      Matcher s = ADDRESS_SPACE.matcher(scalar.getValue().strip());
      if (!s.matches()) { // cannot happen: the pattern matches any text without line breaks
        errors.add(path, "expected a domain such as * or contoso.com, got '" + scalar.getValue() + "'");
        return new AddressSpace("", cost);
      }
      if (s.group(1) != null && !s.group(1).equalsIgnoreCase("SMTP")) {
        errors.add(path, "only SMTP address spaces are supported, got type " + s.group(1));
        return new AddressSpace("", cost);
      }
      domain = s.group(2).strip();
      if (s.group(3) != null) {
        Integer parsed = numberInScalar("cost", s.group(3), MAX_ADDRESS_SPACE_COST, path);
        cost = parsed == null ? cost : parsed;
      }
    } else {
      YamlMapping m = YamlMapping.of(node, path, errors, ADDRESS_SPACE_KEYS);
      domain = m.requiredText("domain");
      domainPath = m.child("domain");
      cost = (int) m.number("cost", cost, 1, MAX_ADDRESS_SPACE_COST, null);
    }
    if (domain.isEmpty()) {
      if (node instanceof ScalarNode) {
        errors.add(path, "empty address space (use * for every domain)");
      }
    } else if (!domain.equals("*") && !SmtpAddress.isHostName(domain.startsWith("*.") ? domain.substring(2) : domain)) {
      errors.add(domainPath, "'" + domain + "' is not *, a domain (contoso.com) or a wildcard (*.contoso.com)");
    }
    return new AddressSpace(domain.toLowerCase(Locale.ROOT), cost);
  }

  /** "mail.contoso.com", "mail.contoso.com:2626", "192.0.2.1", "[192.0.2.1]:2626", "[::1]:2626", or {host, port}. */
  private SmartHost smartHost(Node node, String path, int connectorPort) {
    String host;
    Integer port = connectorPort;
    if (node instanceof ScalarNode scalar) {
      String text = scalar.getValue().strip();
      Matcher bracketed = BRACKETED.matcher(text);
      String portText = null;
      if (bracketed.matches()) {
        host = bracketed.group(1);
        portText = bracketed.group(2);
        if (!IpRange.isAddress(host)) {
          errors.add(path, "brackets hold an IP address, got '" + host + "'");
          return new SmartHost(host, connectorPort);
        }
      } else if (text.indexOf(':') != text.lastIndexOf(':')) {
        host = text; // a bare IPv6 address: no port possible without brackets
      } else {
        int colon = text.indexOf(':');
        host = colon < 0 ? text : text.substring(0, colon);
        portText = colon < 0 ? null : text.substring(colon + 1);
      }
      if (portText != null) {
        port = numberInScalar("port", portText.strip(), MAX_PORT, path);
      }
    } else {
      YamlMapping m = YamlMapping.of(node, path, errors, SMART_HOST_KEYS);
      host = m.requiredText("host");
      port = (int) m.number("port", connectorPort, 1, MAX_PORT, null);
      path = m.child("host");
    }
    if (host.isEmpty()) {
      if (node instanceof ScalarNode) {
        errors.add(path, "empty smart host");
      }
    } else if (!IpRange.isAddress(host) && !SmtpAddress.isHostName(host)) {
      errors.add(path, "'" + host + "' is not a host name or IP address");
    }
    return new SmartHost(host, port == null ? connectorPort : port);
  }

  // ---- topology ----------------------------------------------------------------------------------

  private Site site(Node node, String path) {
    YamlMapping m = YamlMapping.of(node, path, errors, SITE_KEYS);
    return new Site(m.requiredText("name"), m.bool("hubSite", false), m.bool("down", false));
  }

  private SiteLink siteLink(Node node, String path) {
    YamlMapping m = YamlMapping.of(node, path, errors, SITE_LINK_KEYS);
    String name = m.requiredText("name");
    List<String> sites = strings(m, "sites");
    m.requireItems("sites", sites, 2, "a site link joins at least two sites");
    int cost = (int) m.number("cost", SiteLink.DEFAULT_COST, 1, MAX_SITE_LINK_COST, null);
    long maxMessageSize = m.size("maxMessageSize", 0, 0, MAX_EXCHANGE_SIZE, 0L); // 0 = unlimited (Exchange's default)
    return new SiteLink(name, sites == null ? List.of() : sites, cost, maxMessageSize);
  }

  private Server server(Node node, String path, String siteName) {
    YamlMapping m = YamlMapping.of(node, path, errors, SERVER_KEYS);
    String name = serverName(m, "name");
    String site = m.text("site", siteName).strip();
    String tracking = trackingBootstrap(m);
    if (!m.has("smtp")) {
      return new Server(name, site, new Server.SmtpEndpoint(name, Server.DEFAULT_SMTP_PORT), tracking);
    }
    // the same forms as a smart host: "host", "host:port", "[IPv6]:port" or {host, port}; port 25 by default
    SmartHost endpoint = smartHost(m.node("smtp"), m.child("smtp"), Server.DEFAULT_SMTP_PORT);
    return new Server(name, site, new Server.SmtpEndpoint(endpoint.host(), endpoint.port()), tracking);
  }

  /** servers[].trackingBootstrap: {@code host:port[,host:port...]} (Kafka's bootstrap.servers form), or null. */
  private String trackingBootstrap(YamlMapping m) {
    if (!m.has("trackingBootstrap")) {
      return null;
    }
    String text = m.text("trackingBootstrap", "").strip();
    List<String> parts = new ArrayList<>();
    for (String one : text.split(",", -1)) {
      String hostPort = one.strip();
      int colon = hostPort.lastIndexOf(':');
      String host = colon > 0 ? hostPort.substring(0, colon) : "";
      String port = colon > 0 ? hostPort.substring(colon + 1) : "";
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      boolean portOk = port.matches("[0-9]{1,5}") && Integer.parseInt(port) >= 1 && Integer.parseInt(port) <= 65535;
      if (host.isEmpty() || !portOk || !(IpRange.isAddress(host) || SmtpAddress.isHostName(host))) {
        errors.add(m.child("trackingBootstrap"), "'" + text + "' is not a list of host:port (Kafka bootstrap "
            + "servers, e.g. 127.0.0.1:19093 or kafka1:9092,kafka2:9092): '" + hostPort + "'");
        return null;
      }
      parts.add(hostPort);
    }
    return String.join(",", parts);
  }

  private MailboxDatabase database(Node node, String path, String serverName) {
    YamlMapping m = YamlMapping.of(node, path, errors, DATABASE_KEYS);
    String name = m.requiredText("name");
    List<String> copies = strings(m, "copies");
    String active = m.text("activeServer", null);
    if (copies == null || copies.isEmpty()) {
      if (copies != null) {
        errors.add(m.child("copies"), "empty: a database needs at least one server holding a copy");
      }
      copies = List.of(active != null ? active.strip() : serverName);
    }
    active = active == null ? copies.get(0) : active.strip(); // the first activation preference is mounted
    String dag = m.text("dag", null);
    // lmtp: the same forms as a smart host ("host", "host:port", "[IPv6]:port", {host, port}); port 24
    MailboxDatabase.LmtpEndpoint lmtp = null;
    if (m.node("lmtp") != null) {
      SmartHost at = smartHost(m.node("lmtp"), m.child("lmtp"), MailboxDatabase.DEFAULT_LMTP_PORT);
      lmtp = new MailboxDatabase.LmtpEndpoint(at.host(), at.port());
    }
    return new MailboxDatabase(name, copies, active, dag == null || dag.isBlank() ? null : dag.strip(), lmtp);
  }

  // ---- recipients --------------------------------------------------------------------------------

  private Mailbox mailbox(Node node, String path, String firstDatabase) {
    YamlMapping m = YamlMapping.of(node, path, errors, MAILBOX_KEYS);
    String name = m.requiredText("name");
    String primary = address(m, "primarySmtpAddress");
    List<String> proxies = addresses(m, "proxyAddresses");
    String passwordHash = m.text("passwordHash", null);
    if (passwordHash != null) {
      passwordHash = passwordHash.strip();
      try {
        PasswordHash.parse(passwordHash);
      } catch (IllegalArgumentException e) {
        errors.add(m.child("passwordHash"), e.getMessage());
      }
    }
    List<String> sendAs = addresses(m, "sendAs");
    return new Mailbox(name, primary, proxies, m.text("database", firstDatabase).strip(), passwordHash, sendAs,
        forwarding(m));
  }

  /** Exchange's delivery options; ForwardingSmtpAddress may carry Exchange's {@code smtp:} prefix. */
  private Mailbox.Forwarding forwarding(YamlMapping m) {
    String address = m.text("forwardingAddress", null);
    if (address != null) {
      address = address.strip();
      checkAddress(address, m.child("forwardingAddress"));
    }
    String smtp = m.text("forwardingSmtpAddress", null);
    if (smtp != null) {
      smtp = smtp.strip();
      if (smtp.regionMatches(true, 0, "smtp:", 0, 5)) {
        smtp = smtp.substring(5);
      }
      checkAddress(smtp, m.child("forwardingSmtpAddress"));
    }
    boolean keepCopy = m.bool("deliverToMailboxAndForward", false);
    // Exchange clears a forwarding with $null; an empty value here means the same
    return new Mailbox.Forwarding(address == null || address.isEmpty() ? null : address,
        smtp == null || smtp.isEmpty() ? null : smtp, keepCopy);
  }

  private DistributionGroup group(Node node, String path) {
    YamlMapping m = YamlMapping.of(node, path, errors, GROUP_KEYS);
    String name = m.requiredText("name");
    String primary = address(m, "primarySmtpAddress");
    List<String> members = addresses(m, "members");
    List<String> managedBy = addresses(m, "managedBy");
    return new DistributionGroup(name, primary, members, managedBy, m.bool("reportToOriginatorEnabled", true),
        m.bool("reportToManagerEnabled", false));
  }

  private String address(YamlMapping m, String key) {
    String address = m.requiredText(key);
    checkAddress(address, m.child(key));
    return address;
  }

  /** A list of SMTP addresses under {@code key}, each checked; empty when the key is absent. */
  private List<String> addresses(YamlMapping m, String key) {
    List<String> addresses = strings(m, key);
    if (addresses == null) {
      return List.of();
    }
    for (int i = 0; i < addresses.size(); i++) {
      checkAddress(addresses.get(i), m.child(key) + "[" + i + "]");
    }
    return addresses;
  }

  private void checkAddress(String address, String path) {
    if (!address.isEmpty()) {
      try {
        SmtpAddress.parse(address);
      } catch (IllegalArgumentException e) {
        errors.add(path, e.getMessage());
      }
    }
  }
}
