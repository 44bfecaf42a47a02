package io.mailflow.cli;

import io.mailflow.organization.Organization;
import io.mailflow.organization.OrganizationException;
import io.mailflow.organization.OrganizationLoader;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** OrganizationOption - `--config FILE`, or the built-in demo organization when it is absent. */
final class OrganizationOption {
  @Option(names = "--config", paramLabel = "FILE",
      description = "Organization YAML (default: the built-in demo organization, contoso.test)")
  Path config;

  Organization load() throws OrganizationException {
    return config == null ? OrganizationLoader.demo() : OrganizationLoader.load(config);
  }

  String describeSource() {
    return config == null ? "built-in demo organization" : config.toString();
  }
}
