package io.mailflow.delivery.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * MxRoute - where a domain's MX records say its mail goes (RFC 5321 section 5.1): the exchanges in
 * preference order, lowest first, or the domain itself when it has no MX (the implicit MX), or nowhere
 * when it publishes a null MX (RFC 7505: {@code 0 .}).
 *
 * @param hosts host names to try in order (empty only for a null MX)
 * @param implicit true when the domain had no MX and its own A/AAAA records stand in
 */
public record MxRoute(List<String> hosts, boolean implicit) {

  /** One MX record: lower preference is tried first. */
  public record MxRecord(int preference, String exchange) {
    public MxRecord {
      Objects.requireNonNull(exchange, "exchange");
    }
  }

  public MxRoute {
    hosts = List.copyOf(hosts);
  }

  /** True for a null MX: the domain accepts no mail at all. */
  public boolean nullMx() {
    return hosts.isEmpty();
  }

  /**
   * The route for {@code domain} from its MX records. Equal preferences keep the order DNS gave (RFC 5321
   * asks for randomisation there; keeping the order makes tests deterministic and costs nothing at our
   * scale). A host named twice is tried once. A record whose exchange is the root ({@code .}) makes the
   * whole domain a null MX, even beside other records, because RFC 7505 says such a domain sends no mail
   * there and a sender must not try the rest.
   */
  public static MxRoute of(String domain, List<MxRecord> records) {
    Objects.requireNonNull(domain, "domain");
    if (records.isEmpty()) {
      return new MxRoute(List.of(stripDot(domain)), true);
    }
    List<MxRecord> sorted = new ArrayList<>(records);
    sorted.sort(Comparator.comparingInt(MxRecord::preference)); // stable: ties keep DNS order
    List<String> hosts = new ArrayList<>();
    for (MxRecord r : sorted) {
      String host = stripDot(r.exchange().strip());
      if (host.isEmpty()) {
        return new MxRoute(List.of(), false);
      }
      if (hosts.stream().noneMatch(h -> h.equalsIgnoreCase(host))) {
        hosts.add(host.toLowerCase(Locale.ROOT));
      }
    }
    return new MxRoute(hosts, false);
  }

  private static String stripDot(String name) {
    return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
  }
}
