package io.mailflow.cli;

import io.mailflow.kafka.ControlView;
import io.mailflow.organization.Organization;
import io.mailflow.organization.Site;
import io.mailflow.schemas.avro.ControlKind;
import io.mailflow.schemas.avro.ControlRecord;
import java.io.PrintWriter;
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

/**
 * SiteCommand - `mailflow site down|up|list`: take a site down at run time, bring it back, and show
 * every site's state. A setting is a SITE record on the compacted mail.control.v1 that every routing
 * instance reads ({@link ControlView}): Down takes the site down whatever the config says; `site up`
 * clears the run-time setting (state Cleared), so the config's {@code sites[].down} decides again.
 */
@Command(name = "site", mixinStandardHelpOptions = true,
    description = "Take sites down or bring them back up at run time (routing queues at the point of failure).",
    subcommands = {SiteCommand.Down.class, SiteCommand.Up.class, SiteCommand.ListSites.class})
final class SiteCommand {
  static final String DOWN = "Down";

  /** Options every site subcommand shares: the organization (to check names) and Kafka. */
  static final class Target {
    @Mixin OrganizationOption organization;

    @Mixin KafkaOption kafka;
  }

  @Command(name = "down", mixinStandardHelpOptions = true,
      description = "Take a site down: mail toward it queues at the closest reachable site before it.")
  static final class Down implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Target target;
    @Mixin SiteName site;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why, shown by `site list` and `route explain`")
    String reason;

    @Override
    public Integer call() throws Exception {
      Site known = site.in(target.organization.load());
      ControlRecord record = target.kafka.setControl(ControlKind.SITE, known.name(), DOWN, reason, "mailflow-site");
      spec.commandLine().getOut().println("site " + known.name() + ": Down (set by " + record.getSetBy()
          + (reason == null ? "" : ": " + reason) + ")");
      return 0;
    }
  }

  @Command(name = "up", mixinStandardHelpOptions = true,
      description = "Clear a run-time Down: the site is up again unless the config says sites[].down.")
  static final class Up implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Target target;
    @Mixin SiteName site;

    @Override
    public Integer call() throws Exception {
      Site known = site.in(target.organization.load());
      target.kafka.setControl(ControlKind.SITE, known.name(), ControlView.CLEARED, null, "mailflow-site");
      spec.commandLine().getOut().println("site " + known.name() + ": run-time setting cleared; "
          + (known.down() ? "still Down by the configuration (sites[].down: true)" : "Up"));
      return 0;
    }
  }

  /** --site, declared once for the commands that act on one site: a site of the organization, by name. */
  static final class SiteName {
    @Spec(Spec.Target.MIXEE) CommandSpec spec;

    @Option(names = "--site", required = true, paramLabel = "SITE", description = "The site (as in sites[].name)")
    String name;

    /** The site in {@code org}, or a usage error listing the sites there are. */
    Site in(Organization org) {
      return site(spec, org, name);
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "Every site with its state and where it comes from (config or admin, who, when, why).")
  static final class ListSites implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Target target;

    @Override
    public Integer call() throws Exception {
      Organization org = target.organization.load();
      try (ControlView view = target.kafka.control("mailflow-site-list")) {
        print(org, view.all(), spec.commandLine().getOut());
      }
      return 0;
    }
  }

  /** One line per site, in config order: name, Up or Down, and why it is down. */
  static void print(Organization org, Map<String, ControlRecord> control, PrintWriter out) {
    for (String line : lines(org, control)) {
      out.println(line);
    }
    out.flush();
  }

  static List<String> lines(Organization org, Map<String, ControlRecord> control) {
    int width = org.sites().stream().mapToInt(s -> s.name().length()).max().orElse(4);
    List<String> lines = new ArrayList<>();
    for (Site site : org.sites()) {
      String pad = " ".repeat(width - site.name().length() + 2);
      lines.add(site.name() + pad + downReason(site, control).map(why -> "Down  " + why).orElse("Up"));
    }
    return lines;
  }

  /** Why a site is down (admin first: it names who and when), or empty when it is up. */
  static Optional<String> downReason(Site site, Map<String, ControlRecord> control) {
    ControlRecord admin = control.get(ControlView.key(ControlKind.SITE, site.name()));
    if (admin != null && DOWN.equalsIgnoreCase(admin.getState())) {
      return Optional.of("admin: " + describe(admin) + (site.down() ? "; also configured down" : ""));
    }
    return site.down() ? Optional.of("config: sites[].down") : Optional.empty();
  }

  static String describe(ControlRecord record) {
    return "set by " + record.getSetBy() + " at " + record.getSetAt()
        + (record.getReason() == null ? "" : ", reason: " + record.getReason());
  }

  /** The site of that name (case-insensitive), or a usage error listing the sites there are. */
  static Site site(CommandSpec spec, Organization org, String name) {
    return org.sites().stream().filter(s -> s.name().equalsIgnoreCase(name)).findFirst()
        .orElseThrow(() -> new ParameterException(spec.commandLine(), "--site: no site named '" + name
            + "' (known: " + String.join(", ", org.sites().stream().map(Site::name).toList()) + ")"));
  }
}
