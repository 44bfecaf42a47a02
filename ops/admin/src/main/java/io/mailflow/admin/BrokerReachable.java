package io.mailflow.admin;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * BrokerReachable - the readiness check that Kafka answers: an AdminClient describeCluster with a short
 * timeout. One client for the process, made at the first check and kept (it reconnects by itself). Blocks up
 * to the timeout: the admin server runs it on a worker thread.
 */
public final class BrokerReachable implements ReadinessCheck, AutoCloseable {
  /** Short: a readiness probe that hangs is worse than one that says no. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(3);

  private final String bootstrap;
  private final Duration timeout;
  private Admin admin;

  public BrokerReachable(String bootstrap, Duration timeout) {
    this.bootstrap = bootstrap;
    this.timeout = timeout;
  }

  @Override
  public String name() {
    return "broker";
  }

  @Override
  public synchronized Result check() {
    if (admin == null) {
      Map<String, Object> config = new java.util.HashMap<>(Map.of(
          AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
          AdminClientConfig.CLIENT_ID_CONFIG, "mailflow-admin-readiness",
          // the probe's own deadline: without these a call to a dead broker waits a minute
          AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis(),
          AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis()));
      admin = Admin.create(config);
    }
    try {
      int brokers = admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis()))
          .nodes().get(timeout.toMillis() + 500, TimeUnit.MILLISECONDS).size();
      return Result.ok(brokers + " broker(s) at " + bootstrap);
    } catch (ExecutionException e) {
      return Result.failed("Kafka at " + bootstrap + " did not answer: " + e.getCause().getMessage());
    } catch (TimeoutException e) {
      return Result.failed("Kafka at " + bootstrap + " did not answer within " + timeout.toMillis() + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Result.failed("interrupted");
    }
  }

  @Override
  public synchronized void close() {
    if (admin != null) {
      admin.close(Duration.ofSeconds(2));
    }
  }

}
