package io.mailflow.tracking;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * ClusterProbe - whether a Kafka cluster answers: an Admin {@code describeCluster} every {@link #EVERY} on a daemon
 * thread of its own, so a search reads the last answer and never waits on the network (only the very first search
 * waits, at most {@link #TIMEOUT}, for the first answer). One Admin client per cluster, one small request per
 * probe.
 */
final class ClusterProbe implements AutoCloseable {
  /** How often the cluster is asked: one that went away is named within this plus {@link #TIMEOUT}. */
  static final Duration EVERY = Duration.ofSeconds(5);
  /** How long a probe waits for the cluster's answer. */
  static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final String bootstrap;
  private final ScheduledExecutorService thread;
  private final CountDownLatch first = new CountDownLatch(1);
  private Admin admin;
  private volatile boolean reachable;

  ClusterProbe(String bootstrap) {
    this.bootstrap = bootstrap;
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "tracking-probe-" + bootstrap);
      t.setDaemon(true);
      return t;
    });
    thread.scheduleWithFixedDelay(this::probe, 0, EVERY.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The last answer; before the first, waits for it (at most {@link #TIMEOUT} and a second). */
  boolean reachable() {
    try {
      first.await(TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return reachable;
  }

  private void probe() {
    try {
      if (admin == null) {
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
            AdminClientConfig.CLIENT_ID_CONFIG, "mailflow-tracking-probe",
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis(),
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis(),
            // a gone cluster: try again soon, not with the default backoff of up to a second doubling
            AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000));
      }
      admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) TIMEOUT.toMillis())).clusterId()
          .get(TIMEOUT.toMillis() + 500, TimeUnit.MILLISECONDS);
      reachable = true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      reachable = false;
    } catch (Exception e) {
      reachable = false;
    } finally {
      first.countDown();
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
    try {
      thread.awaitTermination(TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (admin != null) {
      admin.close(Duration.ofSeconds(1));
    }
  }
}
