package io.mailflow.categorizer;

import io.mailflow.organization.Directory;
import io.mailflow.organization.Organization;
import io.mailflow.organization.OrganizationLoader;
import java.util.List;

/**
 * ExpansionBenchmark - how fast the categorizer resolves a message to a 5,000-member nested group. A
 * plain harness run by {@code ops/bench/routing.sh}, not a test: it asserts nothing about time.
 *
 * <p>The group: {@code all@} holds 10 division groups, each 5 team groups of 100 mailboxes (5,000
 * mailboxes, 3 levels). Each team also names the first member of the next team (a duplicate, as real
 * groups overlap), and each division names {@code all@} again (a loop): both paths the resolver must
 * catch. Arguments (optional): members-per-team seconds.
 */
public final class ExpansionBenchmark {
  /** Written after each run so the JIT cannot drop the resolutions as unused. */
  static volatile int blackhole;

  private ExpansionBenchmark() {}

  public static void main(String[] args) throws Exception {
    int perTeam = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 3;
    Organization org = OrganizationLoader.parse(organization(10, 5, perTeam), "generated-groups.yaml");
    RecipientResolver resolver = new RecipientResolver(org, Directory.of(org));
    List<String> envelope = List.of("all@contoso.test");
    int members = resolver.resolve(envelope).deliverable().size();

    run(resolver, envelope, seconds / 3); // warm-up
    long start = System.nanoTime();
    long expansions = run(resolver, envelope, seconds);
    double elapsed = (System.nanoTime() - start) / 1e9;
    System.out.printf("categorizer expand %,d-member nested group: %,.0f expansions/s, %,.0f recipients/s"
        + " (%,d in %.1f s)%n", members, expansions / elapsed, expansions * members / elapsed, expansions, elapsed);
  }

  private static long run(RecipientResolver resolver, List<String> envelope, double seconds) {
    long deadline = System.nanoTime() + (long) (seconds * 1e9);
    long n = 0;
    int sink = 0;
    while (System.nanoTime() < deadline) {
      sink += resolver.resolve(envelope).deliverable().size();
      n++;
    }
    blackhole = sink;
    return n;
  }

  static String organization(int divisions, int teamsPerDivision, int perTeam) {
    StringBuilder yaml = new StringBuilder("serverName: EX01\nacceptedDomains: [contoso.test]\nmailboxes:\n");
    int teams = divisions * teamsPerDivision;
    for (int t = 0; t < teams; t++) {
      for (int m = 0; m < perTeam; m++) {
        yaml.append("  - {name: U").append(t).append('-').append(m).append(", primarySmtpAddress: u").append(t)
            .append('-').append(m).append("@contoso.test}\n");
      }
    }
    yaml.append("groups:\n  - {name: All, primarySmtpAddress: all@contoso.test, members: [");
    for (int d = 0; d < divisions; d++) {
      yaml.append(d == 0 ? "" : ", ").append("div").append(d).append("@contoso.test");
    }
    yaml.append("]}\n");
    for (int d = 0; d < divisions; d++) {
      yaml.append("  - {name: Div").append(d).append(", primarySmtpAddress: div").append(d)
          .append("@contoso.test, members: [all@contoso.test");
      for (int t = d * teamsPerDivision; t < (d + 1) * teamsPerDivision; t++) {
        yaml.append(", team").append(t).append("@contoso.test");
      }
      yaml.append("]}\n");
    }
    for (int t = 0; t < teams; t++) {
      yaml.append("  - {name: Team").append(t).append(", primarySmtpAddress: team").append(t)
          .append("@contoso.test, members: [");
      for (int m = 0; m < perTeam; m++) {
        yaml.append(m == 0 ? "" : ", ").append('u').append(t).append('-').append(m).append("@contoso.test");
      }
      yaml.append(", u").append((t + 1) % teams).append("-0@contoso.test]}\n");
    }
    return yaml.toString();
  }
}
