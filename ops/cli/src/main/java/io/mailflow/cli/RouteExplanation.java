package io.mailflow.cli;

import io.mailflow.categorizer.RecipientResolver;
import io.mailflow.categorizer.Resolution;
import io.mailflow.categorizer.ResolutionEvent;
import io.mailflow.categorizer.ResolvedRecipients;
import io.mailflow.organization.Directory;
import io.mailflow.organization.Organization;
import io.mailflow.routing.graph.RouteDecision;
import io.mailflow.routing.graph.Router;
import io.mailflow.routing.graph.RoutingDestination;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RouteExplanation - what the categorizer and the router would do with a message to some recipients,
 * as text: the recipients resolved (groups expanded, contacts redirected), then for each destination the
 * site path with costs, why the alternatives lost, and the next-hop key. The same code the stages run
 * ({@link RecipientResolver}, {@link Router}); no Kafka.
 */
final class RouteExplanation {
  private final Organization organization;
  private final Router router;
  private final RecipientResolver resolver;

  /** @param organization as seen from the server the message is routed from */
  RouteExplanation(Organization organization, List<String> downSites) {
    this.organization = organization;
    this.router = Router.create(organization, downSites);
    this.resolver = new RecipientResolver(organization, Directory.of(organization));
  }

  void print(List<String> recipients, long messageSize, PrintWriter out) {
    ResolvedRecipients resolved = resolver.resolve(recipients);
    out.printf("from          server %s in site %s; message size %d bytes%n", organization.serverName(),
        organization.siteName(), messageSize);
    out.printf("recipients    %s%n", String.join(", ", recipients));
    for (ResolutionEvent event : resolved.events()) {
      out.printf("  %-11s %s%n", event.eventId(), describe(event));
    }
    if (resolved.deliverable().isEmpty()) {
      out.println("  (no deliverable recipient)");
    }
    // Recipients with the same destination share one decision, as they share one delivery queue.
    Map<RoutingDestination, List<Resolution>> byDestination = new LinkedHashMap<>();
    for (Resolution resolution : resolved.deliverable()) {
      out.printf("  resolved    %s (%s)%n", resolution.address(), resolution.kind() == Resolution.Kind.MAILBOX
          ? "mailbox, database " + resolution.database() : "external");
      byDestination.computeIfAbsent(destinationOf(resolution), d -> new ArrayList<>()).add(resolution);
    }
    for (Map.Entry<RoutingDestination, List<Resolution>> entry : byDestination.entrySet()) {
      RouteDecision decision = router.route(entry.getKey(), messageSize);
      out.printf("destination   %s for %s%n", entry.getKey().describe(),
          String.join(", ", entry.getValue().stream().map(Resolution::address).toList()));
      for (String line : decision.explanation()) {
        out.printf("  %s%n", line);
      }
      out.printf("next-hop key  %s%n", decision.nextHop().asRecordKey());
    }
    out.flush();
  }

  /** The routing stage's rule: a mailbox goes to its database, anything else to its domain. */
  static RoutingDestination destinationOf(Resolution resolution) {
    if (resolution.kind() == Resolution.Kind.MAILBOX && resolution.database() != null) {
      return RoutingDestination.database(resolution.database());
    }
    String address = resolution.address();
    return RoutingDestination.externalDomain(address.substring(address.lastIndexOf('@') + 1));
  }

  private static String describe(ResolutionEvent event) {
    String recipients = String.join(", ", event.recipients());
    return switch (event.eventId()) {
      case EXPAND -> event.related() + " -> " + recipients;
      case RESOLVE, REDIRECT -> event.related() + " -> " + recipients;
      case DUPLICATEEXPAND -> recipients + " (again, through " + event.related() + ": delivered once)";
      case FAIL -> recipients + ": " + String.join("; ", event.status().stream().distinct().toList());
    };
  }
}
