package io.mailflow.delivery.agent;

import io.mailflow.organization.MailboxDatabase;
import io.mailflow.organization.Organization;
import io.mailflow.organization.SendConnector;
import io.mailflow.organization.SendConnector.SmartHost;
import io.mailflow.organization.Server;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.NextHop;
import io.mailflow.schemas.avro.ResolvedRecipient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * SiteRelay - turns an intra-organization next hop (a remote AD site, a DAG, or a send connector's
 * source servers) into the servers to relay to over SMTP, in the order to try them, as Exchange's
 * implicit Intra-Organization SMTP Send Connector does. The relay itself is a {@link SmartHostRelay}
 * over the servers' {@code smtp} endpoints, so failover, connection reuse and limits are the same.
 *
 * <p>This server is never a target (relaying to itself would loop). A next hop naming nothing this
 * node's organization knows yields no servers and the {@link ConfigurationError}: the copy stays
 * queued until the config is fixed.
 */
final class SiteRelay {

  /** Exchange's name for the implicit connector between Exchange servers (tracking connector-id). */
  static final String CONNECTOR_ID = "Intra-Organization SMTP Send Connector";

  /**
   * Exchange's field carrying the network message id between its servers: the receiving edge keeps the
   * id when the relay comes from a server of the organization holding AcceptRoutingHeaders, so tracking
   * on both servers shows one id; any other edge strips it.
   */
  static final String NETWORK_MESSAGE_ID_HEADER = "X-MS-Exchange-Organization-Network-Message-Id";

  private final Organization organization;

  SiteRelay(Organization organization) {
    this.organization = organization;
  }

  /**
   * The servers to relay to, in order, or none and the configuration error that leaves none.
   *
   * @param hosts the servers' SMTP endpoints, in the order to try them
   * @param servers their names, in the same order
   * @param none why there are none (what, and the config key to fix), or null
   */
  record Targets(List<SmartHost> hosts, List<String> servers, ConfigurationError none) {
    static Targets none(String why, String configKey) {
      return new Targets(List.of(), List.of(), new ConfigurationError(why, configKey));
    }

    /** Why there are no servers, or null. */
    String why() {
      return none == null ? null : none.what();
    }
  }

  Targets targets(DeliveryItem item) {
    NextHop hop = item.getNextHop();
    String domain = hop.getNextHopDomain();
    return switch (hop.getDeliveryType()) {
      case SmtpRelayToRemoteAdSite -> toSite(domain);
      case SmtpRelayToDag -> toDag(domain, item.getRecipients());
      case SmtpRelayToConnectorSourceServers -> toSourceServers(hop.getConnector() == null ? domain : hop.getConnector());
      default -> throw new IllegalArgumentException("not an intra-organization relay: " + hop.getDeliveryType());
    };
  }

  /** Every server of the site, in config order. */
  private Targets toSite(String site) {
    if (organization.sites().stream().noneMatch(s -> s.name().equalsIgnoreCase(site))) {
      return Targets.none("site '" + site + "' is not in this node's organization config", "sites[].name");
    }
    Map<String, Server> found = new LinkedHashMap<>();
    for (Server server : organization.servers()) {
      if (server.site().equalsIgnoreCase(site)) {
        add(found, server.name());
      }
    }
    return targets(found, "site '" + site + "' has no server other than this one", "servers[].site");
  }

  /**
   * The active copies' servers of the recipients' databases first, then their other copies in activation
   * preference, then the servers of the DAG's other databases: any DAG member can deliver or relay on.
   */
  private Targets toDag(String dag, List<ResolvedRecipient> recipients) {
    List<MailboxDatabase> members = organization.databases().stream()
        .filter(db -> db.dag() != null && db.dag().equalsIgnoreCase(dag)).toList();
    if (members.isEmpty()) {
      return Targets.none("DAG '" + dag + "' has no mailbox database in this node's organization config",
          "databases[].dag");
    }
    List<MailboxDatabase> ordered = new ArrayList<>();
    for (ResolvedRecipient r : recipients) {
      for (MailboxDatabase db : members) {
        if (db.name().equalsIgnoreCase(r.getMailboxDatabase() == null ? "" : r.getMailboxDatabase())
            && !ordered.contains(db)) {
          ordered.add(db);
        }
      }
    }
    Map<String, Server> found = new LinkedHashMap<>();
    ordered.forEach(db -> add(found, db.activeServer()));
    ordered.forEach(db -> db.copies().forEach(copy -> add(found, copy)));
    members.forEach(db -> add(found, db.activeServer()));
    members.forEach(db -> db.copies().forEach(copy -> add(found, copy)));
    return targets(found, "DAG '" + dag + "' has no server other than this one",
        "databases[].activeServer, databases[].copies");
  }

  /** The connector's source servers, those in this node's site first (closest). */
  private Targets toSourceServers(String connectorName) {
    SendConnector connector = organization.sendConnectors().stream()
        .filter(c -> c.name().equalsIgnoreCase(connectorName)).findFirst().orElse(null);
    if (connector == null) {
      return Targets.none("send connector '" + connectorName + "' is not in this node's organization config",
          "sendConnectors[].name");
    }
    Map<String, Server> found = new LinkedHashMap<>();
    for (boolean local : new boolean[] {true, false}) {
      for (String name : connector.sourceTransportServers()) {
        organization.server(name).filter(s -> s.site().equalsIgnoreCase(organization.siteName()) == local)
            .ifPresent(s -> add(found, s.name()));
      }
    }
    return targets(found, "send connector '" + connector.name() + "' has no source server other than this one",
        "sendConnectors[].sourceTransportServers");
  }

  /**
   * {@code message} as it is relayed to another server: the network message id field just below our own
   * Received field (trace fields stay on top, RFC 5321 4.4), or on top when there is none.
   */
  static byte[] withNetworkMessageId(byte[] message, String networkMessageId) {
    if (networkMessageId == null || !networkMessageId.matches("[0-9A-Fa-f-]{1,64}")) {
      return message; // not one of ours: the next edge makes its own
    }
    byte[] field = (NETWORK_MESSAGE_ID_HEADER + ": " + networkMessageId + "\r\n")
        .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    int at = 0;
    if (new String(message, 0, Math.min(9, message.length), java.nio.charset.StandardCharsets.ISO_8859_1)
        .equalsIgnoreCase("Received:")) {
      while (at < message.length && message[at] != '\n') {
        at++;
      }
      at = Math.min(at + 1, message.length); // our Received field is one line (ReceivedHeader)
    }
    byte[] out = new byte[field.length + message.length];
    System.arraycopy(message, 0, out, 0, at);
    System.arraycopy(field, 0, out, at, field.length);
    System.arraycopy(message, at, out, at + field.length, message.length - at);
    return out;
  }

  private void add(Map<String, Server> found, String name) {
    if (name == null || name.equalsIgnoreCase(organization.serverName())) {
      return;
    }
    organization.server(name).ifPresent(s -> found.putIfAbsent(s.name().toLowerCase(Locale.ROOT), s));
  }

  private static Targets targets(Map<String, Server> found, String whyNone, String configKey) {
    if (found.isEmpty()) {
      return Targets.none(whyNone, configKey);
    }
    List<SmartHost> hosts = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (Server s : found.values()) {
      hosts.add(new SmartHost(s.smtp().host(), s.smtp().port()));
      names.add(s.name());
    }
    return new Targets(List.copyOf(hosts), List.copyOf(names), null);
  }
}
