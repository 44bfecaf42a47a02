package io.mailflow.cli;

import io.mailflow.organization.Organization;
import io.mailflow.organization.Quantities;
import io.mailflow.organization.Server;
import io.mailflow.organization.Site;
import io.mailflow.kafka.ControlView;
import io.mailflow.schemas.avro.ControlRecord;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** RouteCommand - `mailflow route explain`: how a message to a recipient would be resolved and routed. */
@Command(name = "route", description = "Routing decisions, explained.", subcommands = RouteCommand.Explain.class,
    mixinStandardHelpOptions = true)
final class RouteCommand {

  @Command(name = "explain", mixinStandardHelpOptions = true,
      description = "Resolve recipients and route them as the categorizer and routing stages would, and print"
          + " the path with costs, why alternatives lost and the next-hop key. Needs no Kafka unless --bootstrap.")
  static final class Explain implements Callable<Integer> {
    private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(15);
    @Spec CommandSpec spec;

    @Mixin OrganizationOption organization;

    @Option(names = "--recipient", required = true, paramLabel = "ADDRESS",
        description = "Envelope recipient (repeatable): a mailbox, group, contact or outside address")
    List<String> recipients;

    @Option(names = "--from-site", paramLabel = "SITE",
        description = "Route as the first server of this site would (default: the config's own server)")
    String fromSite;

    @Option(names = "--size", paramLabel = "SIZE", defaultValue = "0",
        description = "Message size: 10MB, 256KB, bytes (default ${DEFAULT-VALUE}); decides connector and link limits")
    String size;

    @Option(names = "--down-site", paramLabel = "SITE",
        description = "A site that is down (repeatable): mail queues at the point of failure")
    List<String> downSites = List.of();

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT",
        description = "Also read the sites taken down at run time (`mailflow site down`) from this Kafka")
    String bootstrap;

    @Override
    public Integer call() throws Exception {
      Organization org = organization.load();
      long bytes = messageSize();
      List<String> down = new ArrayList<>();
      for (String name : downSites) {
        down.add(site(org, name, "--down-site").name());
      }
      Map<String, ControlRecord> control = Map.of();
      if (bootstrap != null) {
        try (ControlView view = ControlView.start(bootstrap, "mailflow-route-explain", KAFKA_TIMEOUT)) {
          control = view.all();
        }
      }
      PrintWriter out = spec.commandLine().getOut();
      for (Site site : org.sites()) {
        Optional<String> why = SiteCommand.downReason(site, control);
        if (why.isPresent()) {
          out.println("site " + site.name() + " is down (" + why.get() + ")");
          down.add(site.name());
        } else if (down.contains(site.name())) {
          out.println("site " + site.name() + " is down (--down-site)");
        }
      }
      Organization seen = fromSite == null ? org : fromServerIn(org, site(org, fromSite, "--from-site"));
      new RouteExplanation(seen, down).print(recipients, bytes, out);
      return 0;
    }

    private long messageSize() {
      try {
        return Quantities.bytes(size);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), "--size: " + e.getMessage());
      }
    }

    private Site site(Organization org, String name, String option) {
      return org.sites().stream().filter(s -> s.name().equalsIgnoreCase(name)).findFirst()
          .orElseThrow(() -> new ParameterException(spec.commandLine(), option + ": no site named '" + name
              + "' (known: " + String.join(", ", org.sites().stream().map(Site::name).toList()) + ")"));
    }

    /** The organization as its first server in {@code site} (in file order) sees it. */
    private Organization fromServerIn(Organization org, Site site) {
      Optional<Server> server = org.server(org.serverName()).filter(s -> s.site().equalsIgnoreCase(site.name()))
          .or(() -> org.servers().stream().filter(s -> s.site().equalsIgnoreCase(site.name())).findFirst());
      if (server.isEmpty()) {
        throw new ParameterException(spec.commandLine(), "--from-site: site '" + site.name()
            + "' has no server to route from");
      }
      return org.asSeenFrom(server.get().name(), site.name());
    }
  }
}
