package io.mailflow.tracking;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * ClusterProbe - whether a Kafka cluster answers now: an Admin {@code describeCluster} with a short timeout, its
 * answer kept for {@link #FRESH} so a burst of searches asks once. Blocking; one Admin client per cluster, made at
 * the first probe (an idle Admin client only refreshes its metadata every five minutes).
 */
final class ClusterProbe implements AutoCloseable {
  /** How long an answer stands: a cluster that went away is named within this (plus a probe's timeout). */
  static final Duration FRESH = Duration.ofSeconds(5);
  /** How long a probe waits: a search waits at most this for a cluster that is gone. */
  static final Duration TIMEOUT = Duration.ofSeconds(2);

  private final String bootstrap;
  private Admin admin;
  private long checkedAt;
  private boolean reachable;
  private boolean checked;

  ClusterProbe(String bootstrap) {
    this.bootstrap = bootstrap;
  }

  synchronized boolean reachable() {
    long now = System.nanoTime();
    if (checked && now - checkedAt < FRESH.toNanos()) {
      return reachable;
    }
    try {
      if (admin == null) {
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
            AdminClientConfig.CLIENT_ID_CONFIG, "mailflow-tracking-probe",
            // a gone cluster must not hold a search: one short try, then "unreachable"
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis(),
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis(),
            AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000));
      }
      admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) TIMEOUT.toMillis())).clusterId()
          .get(TIMEOUT.toMillis() + 500, TimeUnit.MILLISECONDS);
      reachable = true;
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      reachable = false;
    }
    checked = true;
    checkedAt = System.nanoTime();
    return reachable;
  }

  @Override
  public synchronized void close() {
    if (admin != null) {
      admin.close(Duration.ofSeconds(1));
    }
  }
}
