package io.mailflow.routing.graph;

import io.mailflow.organization.Organization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Locale;
import java.util.TreeSet;

/**
 * TopologyVersion - a fingerprint of everything a route depends on (this node, sites, links, servers,
 * databases and their active copies, send connectors, down sites). Equal inputs give the same version
 * on every JVM, so a tracking event can say which topology routed a message.
 */
public final class TopologyVersion {

  private TopologyVersion() {}

  /** 16 hex digits of SHA-256 over the routing-relevant part of the organization. */
  public static String of(Organization organization, Collection<String> downSites) {
    TreeSet<String> down = new TreeSet<>();
    downSites.forEach(s -> down.add(s.toLowerCase(Locale.ROOT)));
    // Record toString() is fully determined by component values (enums print their names).
    String canonical = String.join("\n",
        "server=" + organization.serverName(),
        "site=" + organization.siteName(),
        "sites=" + organization.sites(),
        "siteLinks=" + organization.siteLinks(),
        "servers=" + organization.servers(),
        "databases=" + organization.databases(),
        "sendConnectors=" + organization.sendConnectors(),
        "down=" + down);
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException impossible) {
      throw new IllegalStateException("every Java platform must provide SHA-256", impossible);
    }
  }
}
