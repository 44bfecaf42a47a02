package io.mailflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** ops/prometheus/prometheus.yml is YAML Prometheus can read and scrapes `mailflow run` where it listens. */
class PrometheusConfigTest {
  static final Path CONFIG = Path.of("..", "prometheus", "prometheus.yml");

  @Test
  @SuppressWarnings("unchecked")
  void scrapesMailflowRunOnItsDefaultAdminPortAndEveryRole() throws IOException {
    Map<String, Object> config = new Yaml().load(Files.readString(CONFIG));
    List<Map<String, Object>> jobs = (List<Map<String, Object>>) config.get("scrape_configs");
    Map<String, Object> run = jobs.stream().filter(j -> "mailflow-run".equals(j.get("job_name"))).findFirst()
        .orElseThrow(() -> new AssertionError("no job mailflow-run in " + jobs));
    assertEquals("/metrics", run.get("metrics_path"));
    List<Map<String, Object>> targets = (List<Map<String, Object>>) run.get("static_configs");
    assertEquals(List.of("127.0.0.1:2580"), targets.get(0).get("targets"));
    Map<String, Object> roles = jobs.stream().filter(j -> "mailflow-roles".equals(j.get("job_name"))).findFirst()
        .orElseThrow(() -> new AssertionError("no job mailflow-roles in " + jobs));
    String roleLabels = String.valueOf(roles.get("static_configs"));
    for (String role : List.of("edge", "categorizer", "routing", "delivery")) {
      assertTrue(roleLabels.contains("role=" + role), "got " + roleLabels + ", want a target labelled role=" + role);
    }
  }
}
