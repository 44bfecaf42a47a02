package io.mailflow.cli;

import io.mailflow.edge.server.ConnectorProbe;
import io.mailflow.edge.server.SessionPrincipal;
import io.mailflow.edge.server.ReceiveConnectorSelector;
import io.mailflow.organization.AcceptedDomain;
import io.mailflow.organization.Directory;
import io.mailflow.organization.ExtendedRight;
import io.mailflow.organization.IpRange;
import io.mailflow.organization.Mailbox;
import io.mailflow.organization.Organization;
import io.mailflow.organization.ReceiveConnector;
import io.mailflow.organization.ReceiveConnector.AuthMechanism;
import io.mailflow.organization.ReceiveConnector.Binding;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** ConnectorsCommand - `mailflow connectors explain`: which receive connector takes a session, why, and what it allows. */
@Command(name = "connectors", description = "Receive connectors, explained.",
    subcommands = ConnectorsCommand.Explain.class, mixinStandardHelpOptions = true)
final class ConnectorsCommand {

  @Command(name = "explain", mixinStandardHelpOptions = true,
      description = "Which receive connector a client at --ip reaching --port gets and why (binding, most specific"
          + " remote IP range), the permission groups and extended rights in force, and what the session may do,"
          + " asked of the edge's own policy. Needs no Kafka.")
  static final class Explain implements Callable<Integer> {
    /** An address in no accepted domain (RFC 2606): stands for "somewhere outside" when asking about relay. */
    static final String OUTSIDE = "someone@example.com";

    @Spec CommandSpec spec;

    @Mixin OrganizationOption organization;

    @Option(names = "--ip", required = true, paramLabel = "ADDRESS", description = "The client's IP address")
    String ip;

    @Option(names = "--port", required = true, paramLabel = "PORT", description = "The port it connects to")
    int port;

    @Option(names = "--user", paramLabel = "ADDRESS",
        description = "Explain the session after AUTH as this mailbox (any of its addresses)")
    String user;

    @Option(names = "--server-cert-name", paramLabel = "NAME",
        description = "Explain the session of a server whose valid TLS client certificate names NAME (DNS name):"
            + " an Exchange server of the organization or a host of a domain-secure partner")
    String serverCertName;

    @Override
    public Integer call() throws Exception {
      Organization org = organization.load();
      Directory directory = Directory.of(org);
      InetAddress client = clientAddress();
      if (user != null && serverCertName != null) {
        throw new ParameterException(spec.commandLine(), "--user and --server-cert-name: a session is one or the other");
      }
      Mailbox mailbox = user == null ? null : directory.findMailbox(user).orElseThrow(() -> new ParameterException(
          spec.commandLine(), "--user: no mailbox has the address '" + user + "'"));
      PrintWriter out = spec.commandLine().getOut();
      Map<String, List<ReceiveConnector>> byBinding = bindingsOnPort(org);
      out.println("client        " + client.getHostAddress() + " to port " + port + " (" + organization.describeSource()
          + ")");
      if (byBinding.isEmpty()) {
        out.println("no receive connector listens on port " + port + ": the connection is refused");
        return 0;
      }
      for (Map.Entry<String, List<ReceiveConnector>> entry : byBinding.entrySet()) {
        out.println();
        explainBinding(out, entry.getKey(), entry.getValue(), client, mailbox, directory, org);
      }
      out.flush();
      return 0;
    }

    private InetAddress clientAddress() {
      try {
        return IpRange.parseAddress(ip);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), "--ip: '" + ip + "' is not an IPv4 or IPv6 address");
      }
    }

    /** The bindings on the port (each a listening socket of its own) and the connectors sharing each. */
    private Map<String, List<ReceiveConnector>> bindingsOnPort(Organization org) {
      Map<String, List<ReceiveConnector>> byBinding = new LinkedHashMap<>();
      for (ReceiveConnector connector : org.receiveConnectors()) {
        for (Binding binding : connector.bindings()) {
          if (binding.port() == port) {
            List<ReceiveConnector> sharing = byBinding.computeIfAbsent(binding.toString(), k -> new ArrayList<>());
            if (!sharing.contains(connector)) {
              sharing.add(connector);
            }
          }
        }
      }
      return byBinding;
    }

    private void explainBinding(PrintWriter out, String binding, List<ReceiveConnector> sharing, InetAddress client,
        Mailbox mailbox, Directory directory, Organization org) {
      out.println("binding       " + binding + " (connectors: "
          + sharing.stream().map(c -> "'" + c.name() + "'").collect(Collectors.joining(", ")) + ")");
      Optional<ReceiveConnectorSelector.Selection> selection = new ReceiveConnectorSelector(sharing).select(client);
      for (ReceiveConnector candidate : sharing) {
        out.println("  candidate   '" + candidate.name() + "': " + matchOf(candidate, client));
      }
      if (selection.isEmpty()) {
        out.println("connector     none: the client gets '421 4.3.2 Service not available, closing transmission"
            + " channel' and is disconnected");
        return;
      }
      ReceiveConnector connector = selection.get().connector();
      IpRange range = selection.get().range();
      out.println("connector     '" + connector.name() + "': remote IP range " + range + " (" + range.size()
          + " addresses) is the most specific match");
      out.println("groups        " + connector.permissionGroups().stream().map(Enum::name).sorted()
          .collect(Collectors.joining(", ")));
      out.println("auth          " + connector.authMechanisms().stream().map(Enum::name).sorted()
          .collect(Collectors.joining(", ")) + (connector.implicitTls() ? "; implicit TLS" : ""));
      for (ReceiveConnector.Permission p : connector.permissions()) {
        out.println("permission    " + (p.deny() ? "deny " : "grant ") + p.user() + ": " + p.extendedRights().stream()
            .map(ExtendedRight::exchangeName).sorted().collect(Collectors.joining(", ")));
      }
      ConnectorProbe probe = new ConnectorProbe(connector, directory);
      String identity = null;
      if (mailbox != null) {
        if (connector.authMechanisms().contains(AuthMechanism.BasicAuth)) {
          identity = mailbox.primarySmtpAddress();
        } else {
          out.println("note          the connector offers no AUTH: " + user + " can only be anonymous here");
        }
      }
      SessionPrincipal principal = probe.principal(identity);
      if (serverCertName != null) {
        principal = probe.certificatePrincipal(serverCertName);
        if (!principal.authenticated()) {
          out.println("note          a certificate naming " + serverCertName + " authenticates nobody here (the"
              + " connector asks for no client certificate, or the name is no server of the organization and no host"
              + " of a transportConfig.tlsReceiveDomainSecureList domain this connector's groups accept)");
        }
      }
      Set<ExtendedRight> rights = probe.rightsAs(principal);
      out.println("session as    " + principal.describe());
      out.println("rights        " + (rights.isEmpty() ? "none" : rights.stream().map(ExtendedRight::exchangeName)
          .sorted().collect(Collectors.joining(", "))));
      out.println("limits        maxMessageSize " + connector.maxMessageSize() + " bytes, maxRecipientsPerMessage "
          + connector.maxRecipientsPerMessage() + ", messageRateLimit " + (connector.messageRateLimit()
              == ReceiveConnector.UNLIMITED ? "unlimited" : connector.messageRateLimit() + "/min per "
              + connector.messageRateSource()));
      String authoritative = org.acceptedDomains().stream().filter(d -> d.type() == AcceptedDomain.DomainType.Authoritative)
          .map(AcceptedDomain::domainName).filter(d -> !d.startsWith("*")).findFirst().orElse(null);
      String own = identity != null ? identity : authoritative == null ? null : "someone@" + authoritative;
      String submit = probe.mailFromAs(principal, "");
      out.println("may submit    " + verdict(submit));
      out.println("may relay     " + verdict(probe.rcptToAs(principal, OUTSIDE)) + " (RCPT TO:<" + OUTSIDE + ">)");
      if (principal.kind() == SessionPrincipal.Kind.USER) {
        out.println("send as self  " + verdict(probe.mailFromAs(principal, identity)) + " (MAIL FROM:<" + identity + ">)");
      }
      if (authoritative != null) {
        String other = "not-" + localPart(own) + "@" + authoritative;
        out.println("send as org   " + verdict(probe.mailFromAs(principal, other))
            + " (MAIL FROM:<" + other + ">, authoritative domain " + authoritative + ")");
      }
      out.println("send as any   " + verdict(probe.mailFromAs(principal, OUTSIDE)) + " (MAIL FROM:<" + OUTSIDE + ">)");
    }

    private static String localPart(String address) {
      return address == null ? "someone" : address.substring(0, address.indexOf('@'));
    }

    private static String verdict(String reply) {
      return reply.startsWith("250") ? "yes" : "no: " + reply;
    }

    private static String matchOf(ReceiveConnector connector, InetAddress client) {
      IpRange best = null;
      for (IpRange range : connector.ipRanges()) {
        if (range.contains(client) && (best == null || range.size().compareTo(best.size()) < 0)) {
          best = range;
        }
      }
      return best == null ? "no remote IP range holds the client (" + String.join(", ", connector.remoteIpRanges()) + ")"
          : "range " + best + " matches (" + best.size() + " addresses)";
    }
  }
}
