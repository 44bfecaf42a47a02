package io.mailflow.routing.service;

import io.mailflow.routing.graph.DeliveryType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;

/**
 * RoutingMeters - routing decisions by delivery type, route-cache hits and misses (hit ratio = hits / (hits +
 * misses)), recipients routed to Unreachable and delivery items written ({@code mailflow.routing.*}). Built once
 * per stage instance; tags are the delivery type (an enum) and the cache result, never a destination.
 */
final class RoutingMeters {
  static final String PREFIX = "mailflow.routing.";

  private final Map<DeliveryType, Counter> decisions = new EnumMap<>(DeliveryType.class);
  final Counter cacheHits;
  final Counter cacheMisses;
  final Counter unreachable;
  final Counter items;

  RoutingMeters(MeterRegistry registry) {
    for (DeliveryType type : DeliveryType.values()) {
      decisions.put(type, Counter.builder(PREFIX + "decisions").tag("delivery_type", type.name())
          .description("recipients routed, by the next hop's delivery type").register(registry));
    }
    cacheHits = Counter.builder(PREFIX + "route.cache").tag("result", "hit")
        .description("route lookups answered from the route cache (hit) or computed over the site graph (miss)")
        .register(registry);
    cacheMisses = Counter.builder(PREFIX + "route.cache").tag("result", "miss")
        .description("route lookups answered from the route cache (hit) or computed over the site graph (miss)")
        .register(registry);
    unreachable = Counter.builder(PREFIX + "unreachable")
        .description("recipients routed to the Unreachable queue (no route, site down, unknown database)")
        .register(registry);
    items = Counter.builder(PREFIX + "items").description("delivery items written to mail.delivery.v1, one per next hop")
        .register(registry);
  }

  void decided(DeliveryType type) {
    decisions.get(type).increment();
    if (type == DeliveryType.Unreachable) {
      unreachable.increment();
    }
  }
}
