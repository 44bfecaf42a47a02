package io.mailflow.cli;

import io.mailflow.organization.IpRange;
import picocli.CommandLine.Option;

/**
 * AdminBindOption - {@code --admin-bind}, declared once for {@code run} and every role: the address the
 * admin server listens on. The port stays with each command, because its default differs (2580 for
 * {@code run}, any free port for a role process).
 */
final class AdminBindOption {

  @Option(names = "--admin-bind", paramLabel = "ADDRESS",
      description = "IP address of the admin server (default: the organization's adminServer.bindAddress, else "
          + "127.0.0.1); beyond loopback it serves HTTPS only, with the node's certificate")
  String address;

  @Option(names = "--no-admin",
      description = "Start no admin server (no health checks, /metrics, API or console): for benchmarks that "
          + "measure what the admin server costs, and for processes watched by other means")
  boolean none;

  /**
   * Where this process's admin server listens: this address (or the organization's) and {@code port}, or null
   * with {@code --no-admin}. Call it before starting anything: an address that is no IP literal is refused
   * here, so a typo starts no broker.
   */
  Node.AdminListener listener(int port) {
    if (none) {
      if (address != null) {
        throw new CliFailure("--no-admin and --admin-bind contradict each other; give one of them");
      }
      return null;
    }
    if (address != null && !IpRange.isAddress(address.strip())) {
      throw new CliFailure(NOT_AN_ADDRESS + "'" + address.strip() + "'");
    }
    return new Node.AdminListener(address, port);
  }

  /** A host name would be resolved, and could mean another address tomorrow. */
  static final String NOT_AN_ADDRESS = "--admin-bind takes an IP address such as 127.0.0.1, 0.0.0.0 or ::, not ";
}
