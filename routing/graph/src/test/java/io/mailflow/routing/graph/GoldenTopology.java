package io.mailflow.routing.graph;

import io.mailflow.organization.KafkaTopics;
import io.mailflow.organization.MailboxDatabase;
import io.mailflow.organization.Organization;
import io.mailflow.organization.SendConnector;
import io.mailflow.organization.Server;
import io.mailflow.organization.Site;
import io.mailflow.organization.SiteLink;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * GoldenTopology - builds organization records straight from a golden file's YAML map (test scope; the
 * real loader lives in mailflow-organization). Missing fields take Exchange's defaults.
 */
final class GoldenTopology {

  private GoldenTopology() {}

  /** An organization written inline in a test, in the golden files' YAML shape. */
  @SuppressWarnings("unchecked")
  static Organization parse(String yaml) {
    return organization((Map<String, Object>) new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml));
  }

  static Organization organization(Map<String, Object> in) {
    return new Organization(
        text(in, "serverName"),
        text(in, "siteName"),
        KafkaTopics.defaults(),
        List.of(), List.of(),
        list(in, "sendConnectors").stream().map(GoldenTopology::connector).toList(),
        list(in, "sites").stream().map(s -> new Site(text(s, "name"), bool(s, "hubSite"), bool(s, "down"))).toList(),
        list(in, "siteLinks").stream().map(GoldenTopology::link).toList(),
        list(in, "servers").stream().map(s -> new Server(text(s, "name"), text(s, "site"))).toList(),
        list(in, "databases").stream().map(GoldenTopology::database).toList(),
        List.of(), List.of(), List.of(), List.of(), null);
  }

  /** The same organization with one database's active copy moved to another server (a failover). */
  static Organization withActiveServer(Organization org, String database, String server) {
    List<MailboxDatabase> moved = org.databases().stream()
        .map(d -> d.name().equalsIgnoreCase(database) ? new MailboxDatabase(d.name(), d.copies(), server, d.dag()) : d)
        .toList();
    return new Organization(org.serverName(), org.siteName(), org.kafka(), org.acceptedDomains(),
        org.receiveConnectors(), org.sendConnectors(), org.sites(), org.siteLinks(), org.servers(), moved,
        org.mailboxes(), org.groups(), org.contacts(), org.mailUsers(), org.transportConfig());
  }

  private static SiteLink link(Map<String, Object> m) {
    Object cost = m.getOrDefault("cost", SiteLink.DEFAULT_COST);
    return new SiteLink(text(m, "name"), strings(m, "sites"), ((Number) cost).intValue(),
        m.containsKey("maxMessageSize") ? size(m.get("maxMessageSize")) : 0);
  }

  private static MailboxDatabase database(Map<String, Object> m) {
    String active = text(m, "activeServer");
    List<String> copies = m.containsKey("copies") ? strings(m, "copies") : List.of(active);
    return new MailboxDatabase(text(m, "name"), copies, active, (String) m.get("dag"));
  }

  /** Address spaces are written as Exchange's shell writes them without the type: {@code contoso.com;10}. */
  private static SendConnector connector(Map<String, Object> m) {
    List<SendConnector.AddressSpace> spaces = new ArrayList<>();
    for (String space : strings(m, "addressSpaces")) {
      String[] parts = space.split(";", 2);
      spaces.add(new SendConnector.AddressSpace(parts[0],
          parts.length == 2 ? Integer.parseInt(parts[1]) : SendConnector.DEFAULT_ADDRESS_SPACE_COST));
    }
    int port = m.containsKey("port") ? ((Number) m.get("port")).intValue() : SendConnector.DEFAULT_PORT;
    List<SendConnector.SmartHost> smartHosts = new ArrayList<>();
    for (String host : m.containsKey("smartHosts") ? strings(m, "smartHosts") : List.<String>of()) {
      int colon = host.lastIndexOf(':');
      smartHosts.add(colon < 0 ? new SendConnector.SmartHost(host, port)
          : new SendConnector.SmartHost(host.substring(0, colon), Integer.parseInt(host.substring(colon + 1))));
    }
    long max = m.containsKey("maxMessageSize") ? size(m.get("maxMessageSize")) : SendConnector.DEFAULT_MAX_MESSAGE_SIZE;
    List<String> sources = m.containsKey("sourceTransportServers") ? strings(m, "sourceTransportServers") : List.of();
    return new SendConnector(text(m, "name"), spaces, smartHosts, port, max, sources, null);
  }

  /** A size in bytes, or with a KB / MB suffix (binary units, as Exchange's ByteQuantifiedSize). */
  static long size(Object value) {
    if (value instanceof Number n) {
      return n.longValue();
    }
    String s = value.toString().trim().toUpperCase();
    if (s.endsWith("MB")) {
      return Long.parseLong(s.substring(0, s.length() - 2).trim()) * 1024 * 1024;
    }
    if (s.endsWith("KB")) {
      return Long.parseLong(s.substring(0, s.length() - 2).trim()) * 1024;
    }
    return Long.parseLong(s);
  }

  static String text(Map<String, Object> m, String key) {
    Object v = m.get(key);
    if (v == null) {
      throw new IllegalArgumentException("golden file: '" + key + "' is missing in " + m);
    }
    return v.toString();
  }

  private static boolean bool(Map<String, Object> m, String key) {
    return Boolean.TRUE.equals(m.get(key));
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> list(Map<String, Object> m, String key) {
    return (List<Map<String, Object>>) m.getOrDefault(key, List.of());
  }

  @SuppressWarnings("unchecked")
  static List<String> strings(Map<String, Object> m, String key) {
    return ((List<Object>) m.getOrDefault(key, List.of())).stream().map(String::valueOf).toList();
  }
}
