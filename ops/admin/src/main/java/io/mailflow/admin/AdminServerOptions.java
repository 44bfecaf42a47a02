package io.mailflow.admin;

import io.mailflow.kafka.EventEncoding;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * AdminServerOptions - where the admin server listens and how: address and port, the certificate it serves
 * HTTPS with, whether {@code /metrics} needs a login, the request body limit and the Kafka timeout of the API.
 *
 * @param bindAddress an IP address; loopback is served over plain HTTP, anything else only over HTTPS
 * @param port 0 for any free port
 * @param certFile PEM certificate (chain) for HTTPS; null for plain HTTP (loopback only)
 * @param keyFile PEM private key of {@code certFile}
 * @param metricsRequireLogin whether {@code GET /metrics} needs an administrator
 * @param kafkaTimeout how long an API call waits for Kafka before answering 503
 * @param serverName the organization's name of this server, written as server-hostname on the audit's tracking
 *     events; null: this machine's host name
 * @param eventEncoding how the audit's tracking events are written (the organization's trackingEventFormat); null:
 *     JSON
 */
public record AdminServerOptions(String bindAddress, int port, Path certFile, Path keyFile,
    boolean metricsRequireLogin, Duration kafkaTimeout, String serverName, EventEncoding eventEncoding) {
  /** `mailflow run`'s port: beside the SMTP ports, unassigned by IANA, easy to remember. */
  public static final int DEFAULT_RUN_PORT = 2580;
  /** Role processes: several often share a machine, so any free port (printed at start). */
  public static final int DEFAULT_ROLE_PORT = 0;
  public static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";
  /** Request bodies are a reason at most: 16 KB is plenty, and bounds what a client can make us buffer. */
  public static final int BODY_LIMIT = 16 * 1024;
  public static final Duration DEFAULT_KAFKA_TIMEOUT = Duration.ofSeconds(10);

  public AdminServerOptions {
    eventEncoding = eventEncoding == null ? EventEncoding.defaults() : eventEncoding;
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("admin port " + port + " out of range (0-65535)");
    }
    if ((certFile == null) != (keyFile == null)) {
      throw new IllegalArgumentException("the admin server's certificate needs both a certificate and a key file");
    }
    if (!isLoopback(bindAddress) && certFile == null) {
      throw new IllegalArgumentException("the admin server serves plain HTTP on loopback only; bound to "
          + bindAddress + " it needs a certificate for HTTPS");
    }
  }

  /** As the canonical constructor, audit events as JSON. */
  public AdminServerOptions(String bindAddress, int port, Path certFile, Path keyFile, boolean metricsRequireLogin,
      Duration kafkaTimeout, String serverName) {
    this(bindAddress, port, certFile, keyFile, metricsRequireLogin, kafkaTimeout, serverName, null);
  }

  /** Loopback on {@code port}, plain HTTP, /metrics open. */
  public static AdminServerOptions loopback(int port) {
    return new AdminServerOptions(DEFAULT_BIND_ADDRESS, port, null, null, false, DEFAULT_KAFKA_TIMEOUT, null);
  }

  public AdminServerOptions withMetricsRequireLogin(boolean required) {
    return new AdminServerOptions(bindAddress, port, certFile, keyFile, required, kafkaTimeout, serverName,
        eventEncoding);
  }

  public AdminServerOptions withKafkaTimeout(Duration timeout) {
    return new AdminServerOptions(bindAddress, port, certFile, keyFile, metricsRequireLogin, timeout, serverName,
        eventEncoding);
  }

  public AdminServerOptions withServerName(String name) {
    return new AdminServerOptions(bindAddress, port, certFile, keyFile, metricsRequireLogin, kafkaTimeout, name,
        eventEncoding);
  }

  public AdminServerOptions withEventEncoding(EventEncoding encoding) {
    return new AdminServerOptions(bindAddress, port, certFile, keyFile, metricsRequireLogin, kafkaTimeout, serverName,
        encoding);
  }

  /** Whether the server speaks HTTPS. */
  public boolean tls() {
    return certFile != null;
  }

  /** Whether {@code address} (an IP literal) is a loopback address; a name or garbage is not. */
  public static boolean isLoopback(String address) {
    if (address == null || address.isBlank() || !address.matches("[0-9A-Fa-f.:%]+")) {
      return false; // IP literals only: never resolve a name here
    }
    try {
      return InetAddress.getByName(address).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
