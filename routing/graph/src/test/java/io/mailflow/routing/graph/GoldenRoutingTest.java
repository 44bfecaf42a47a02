package io.mailflow.routing.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import io.mailflow.organization.Organization;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Golden-file routing tests (Postfix's transport.in / transport.ref): each
 * {@code golden/NN-name.in.yaml} holds a topology and routes, {@code NN-name.ref.yaml} the expected next
 * hop, site path and queue site for each route, in the same order.
 *
 * <p>A route is {@code database NAME} or {@code domain NAME}, optionally followed by {@code size 20MB}
 * (default 1KB) and, for a database, {@code activeServer SERVER} (the active copy moved there first).
 */
class GoldenRoutingTest {

  private static final long DEFAULT_SIZE = 1024;

  @TestFactory
  Stream<DynamicTest> everyGoldenFileRoutesAsItsReferenceSays() throws IOException, URISyntaxException {
    Path dir = Path.of(Objects.requireNonNull(getClass().getResource("/golden"), "golden/ on test classpath").toURI());
    List<Path> inputs;
    try (Stream<Path> files = Files.list(dir)) {
      inputs = files.filter(p -> p.getFileName().toString().endsWith(".in.yaml")).sorted().toList();
    }
    assertFalse(inputs.isEmpty(), "no golden files in " + dir);
    return inputs.stream().map(in -> DynamicTest.dynamicTest(in.getFileName().toString(), () -> check(in)));
  }

  @SuppressWarnings("unchecked")
  private static void check(Path inFile) throws IOException {
    String name = inFile.getFileName().toString().replace(".in.yaml", "");
    Map<String, Object> in = (Map<String, Object>) load(inFile);
    List<Map<String, Object>> ref = (List<Map<String, Object>>) load(inFile.resolveSibling(name + ".ref.yaml"));
    Organization organization = GoldenTopology.organization(in);
    List<String> down = GoldenTopology.strings(in, "downSites");
    Router router = Router.create(organization, down);
    List<String> routes = GoldenTopology.strings(in, "routes");
    assertEquals(routes.size(), ref.size(), name + ": routes in .in.yaml vs entries in .ref.yaml");

    List<String> failures = new ArrayList<>();
    for (int i = 0; i < routes.size(); i++) {
      String route = routes.get(i);
      Map<String, Object> want = ref.get(i);
      assertEquals(route, want.get("route"), name + ": entry " + i + " of .ref.yaml is for another route");
      RouteDecision got = route(router, organization, down, route);
      String where = name + " [" + route + "] ";
      compare(failures, where + "nextHop", got.nextHop().asRecordKey(), want.get("nextHop"));
      compare(failures, where + "path", got.path().map(io.mailflow.routing.graph.Path::render).orElse("none"),
          want.get("path"));
      compare(failures, where + "queueAt",
          got.path().flatMap(io.mailflow.routing.graph.Path::queuesAt).orElse(null), want.get("queueAt"));
    }
    if (!failures.isEmpty()) {
      fail(String.join("\n", failures));
    }
  }

  private static RouteDecision route(Router router, Organization organization, List<String> down, String route) {
    String[] words = route.trim().split("\\s+");
    long size = DEFAULT_SIZE;
    Router effective = router;
    for (int w = 2; w + 1 < words.length; w += 2) {
      switch (words[w]) {
        case "size" -> size = GoldenTopology.size(words[w + 1]);
        case "activeServer" -> effective = Router.create(
            GoldenTopology.withActiveServer(organization, words[1], words[w + 1]), down);
        default -> throw new IllegalArgumentException("golden route '" + route + "': unknown word " + words[w]);
      }
    }
    return switch (words[0]) {
      case "database" -> effective.route(RoutingDestination.database(words[1]), size);
      case "domain" -> effective.route(RoutingDestination.externalDomain(words[1]), size);
      default -> throw new IllegalArgumentException("golden route '" + route + "' must start with database or domain");
    };
  }

  private static void compare(List<String> failures, String what, Object got, Object want) {
    if (!Objects.equals(got, want == null ? null : want.toString())) {
      failures.add(what + ": got " + got + ", want " + want);
    }
  }

  private static Object load(Path file) throws IOException {
    try (InputStream stream = Files.newInputStream(file)) {
      return new Yaml(new SafeConstructor(new LoaderOptions())).load(stream);
    }
  }
}
