package io.mailflow.cli;

import io.mailflow.organization.AcceptedDomain;
import io.mailflow.organization.DistributionGroup;
import io.mailflow.organization.Mailbox;
import io.mailflow.organization.Organization;
import io.mailflow.organization.ReceiveConnector;
import io.mailflow.organization.SendConnector;
import io.mailflow.organization.Webhook;
import java.io.PrintWriter;
import java.util.stream.Collectors;

/** OrganizationSummary - what an operator should see at start: who we accept mail for and where. */
final class OrganizationSummary {
  private OrganizationSummary() {}

  static void print(Organization org, String source, PrintWriter out) {
    out.printf("organization  %s (server %s, site %s)%n", source, org.serverName(), org.siteName());
    for (AcceptedDomain domain : org.acceptedDomains()) {
      out.printf("  accepted domain  %s (%s%s)%n", domain.domainName(), domain.type(), domain.isDefault() ? ", default" : "");
    }
    for (Mailbox mailbox : org.mailboxes()) {
      out.printf("  mailbox          %s (%s)%n", mailbox.primarySmtpAddress(), mailbox.database());
    }
    for (DistributionGroup group : org.groups()) {
      out.printf("  group            %s: %s%n", group.primarySmtpAddress(), String.join(", ", group.members()));
    }
    for (ReceiveConnector connector : org.receiveConnectors()) {
      out.printf("  receive conn.    %s on %s%n", connector.name(),
          connector.bindings().stream().map(Object::toString).collect(Collectors.joining(", ")));
    }
    for (SendConnector connector : org.sendConnectors()) {
      out.printf("  send connector   %s for %s via %s%n", connector.name(),
          connector.addressSpaces().stream().map(SendConnector.AddressSpace::domain).collect(Collectors.joining(", ")),
          connector.usesSmartHosts()
              ? connector.smartHosts().stream().map(Object::toString).collect(Collectors.joining(", "))
              : "DNS MX");
    }
    for (Webhook webhook : org.webhooks()) {
      // the host only: a receiver may carry a token in the URL's path or query
      out.printf("  webhook          %s to %s (%s)%s%n", webhook.name(), java.net.URI.create(webhook.url()).getHost(),
          webhook.events().stream().sorted().map(Webhook.Event::jsonName).collect(Collectors.joining(", ")),
          webhook.enabled() ? "" : ", disabled");
    }
    out.flush();
  }
}
