package io.mailflow.routing.graph;

import java.util.Arrays;

/**
 * NextHopKey - names one delivery queue: where a routed copy goes next (Exchange's next hop solution
 * key: DeliveryType, NextHopDomain, NextHopConnector).
 *
 * <p>{@link #asRecordKey()} is the Kafka record key of {@code mail.delivery.v1}, so it must be stable
 * across releases and JVMs: {@code DeliveryType/NextHopDomain[/Connector]}, e.g.
 * {@code SmtpDeliveryToMailbox/DB01} or {@code SmartHostConnectorDelivery/127.0.0.1:2626/Internet}.
 *
 * @param deliveryType how the queue delivers
 * @param nextHopDomain the database, DAG, site, connector, recipient domain or smart hosts it delivers to;
 *     never contains {@code /}, the key separator
 * @param connector the send connector's name, or null when no connector is involved; may contain
 *     {@code /} because it is the last field of the key
 */
public record NextHopKey(DeliveryType deliveryType, String nextHopDomain, String connector) {

  /** Exchange's NextHopDomain of the Unreachable queue. */
  public static final String UNREACHABLE_DOMAIN = "Unreachable Domain";

  private static final char SEPARATOR = '/';
  private static final String FORM = "DeliveryType/NextHopDomain[/Connector]";

  public NextHopKey {
    if (deliveryType == null) {
      throw new IllegalArgumentException("next-hop key: deliveryType is missing");
    }
    if (nextHopDomain == null || nextHopDomain.isBlank()) {
      throw new IllegalArgumentException("next-hop key " + deliveryType + ": nextHopDomain is blank");
    }
    if (nextHopDomain.indexOf(SEPARATOR) >= 0) {
      throw new IllegalArgumentException("next-hop key " + deliveryType + ": nextHopDomain '" + nextHopDomain
          + "' contains '" + SEPARATOR + "', the key separator");
    }
    if (connector != null && connector.isBlank()) {
      throw new IllegalArgumentException("next-hop key " + deliveryType + "/" + nextHopDomain
          + ": connector is blank (use null for no connector)");
    }
  }

  public static NextHopKey of(DeliveryType deliveryType, String nextHopDomain) {
    return new NextHopKey(deliveryType, nextHopDomain, null);
  }

  public static NextHopKey of(DeliveryType deliveryType, String nextHopDomain, String connector) {
    return new NextHopKey(deliveryType, nextHopDomain, connector);
  }

  /** The one key of the Unreachable queue. */
  public static NextHopKey unreachable() {
    return of(DeliveryType.Unreachable, UNREACHABLE_DOMAIN);
  }

  /** The stable record key; {@link #parse} gives back an equal key. */
  public String asRecordKey() {
    String key = deliveryType.name() + SEPARATOR + nextHopDomain;
    return connector == null ? key : key + SEPARATOR + connector;
  }

  /** Reads a key written by {@link #asRecordKey()}; a malformed key is an IllegalArgumentException naming it. */
  public static NextHopKey parse(String key) {
    if (key == null) {
      throw new IllegalArgumentException("next-hop key is null; expected " + FORM);
    }
    String[] parts = key.split(String.valueOf(SEPARATOR), 3);
    if (parts.length < 2) {
      throw new IllegalArgumentException("next-hop key '" + key + "' has no next-hop domain; expected " + FORM);
    }
    DeliveryType type;
    try {
      type = DeliveryType.valueOf(parts[0]);
    } catch (IllegalArgumentException unknown) {
      throw new IllegalArgumentException("next-hop key '" + key + "': unknown delivery type '" + parts[0]
          + "'; expected one of " + Arrays.toString(DeliveryType.values()));
    }
    if (parts[1].isBlank()) {
      throw new IllegalArgumentException("next-hop key '" + key + "': next-hop domain is empty; expected " + FORM);
    }
    if (parts.length == 3 && parts[2].isBlank()) {
      throw new IllegalArgumentException("next-hop key '" + key + "': connector after the second '"
          + SEPARATOR + "' is empty; expected " + FORM);
    }
    return new NextHopKey(type, parts[1], parts.length == 3 ? parts[2] : null);
  }

  @Override
  public String toString() {
    return asRecordKey();
  }
}
