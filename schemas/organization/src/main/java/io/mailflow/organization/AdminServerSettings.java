package io.mailflow.organization;

/**
 * AdminServerSettings - the organization file's {@code adminServer} section: where every process's admin
 * server listens unless its command line says otherwise, and whether {@code /metrics} needs a login.
 *
 * @param bindAddress the IP address to listen on; null means 127.0.0.1 (loopback only). Any other address is
 *     served over HTTPS only.
 * @param metricsRequireLogin whether {@code GET /metrics} needs an administrator (either role); default false,
 *     so Prometheus scrapes without credentials
 */
public record AdminServerSettings(String bindAddress, boolean metricsRequireLogin) {
  public static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";

  /** Loopback only, /metrics open: what a file without the section gets. */
  public static AdminServerSettings defaults() {
    return new AdminServerSettings(null, false);
  }

  /** The address to listen on: the configured one, else {@link #DEFAULT_BIND_ADDRESS}. */
  public String bindAddressOrDefault() {
    return bindAddress == null ? DEFAULT_BIND_ADDRESS : bindAddress;
  }
}
