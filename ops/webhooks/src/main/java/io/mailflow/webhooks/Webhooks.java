package io.mailflow.webhooks;

import io.mailflow.kafka.StageLoop;
import io.mailflow.organization.Organization;
import io.mailflow.organization.Webhook;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Webhooks - the organization's enabled webhooks, one {@link WebhookStage} each, sharing one timer thread for
 * their retries. Started by ops/cli's delivery role (and so by {@code mailflow run}).
 */
public final class Webhooks implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Webhooks.class);

  private final ScheduledExecutorService timer;
  private final List<WebhookStage> stages = new ArrayList<>();

  private Webhooks(ScheduledExecutorService timer) {
    this.timer = timer;
  }

  /** Starts every enabled webhook of {@code org}; none configured, none started. */
  public static Webhooks start(String bootstrap, Organization org, StageLoop.Options options, boolean subjectLogging) {
    return start(bootstrap, org.webhooks(), options, subjectLogging, WebhookEndpoint.Options.defaults());
  }

  static Webhooks start(String bootstrap, List<Webhook> webhooks, StageLoop.Options options, boolean subjectLogging,
      WebhookEndpoint.Options endpointOptions) {
    Webhooks started = new Webhooks(Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "webhook-retries");
      t.setDaemon(true);
      return t;
    }));
    try {
      for (Webhook webhook : webhooks) {
        if (!webhook.enabled()) {
          log.info("webhook {}: disabled (enabled: false)", webhook.name());
          continue;
        }
        started.stages.add(WebhookStage.start(bootstrap, webhook, options, subjectLogging, started.timer,
            endpointOptions));
      }
    } catch (RuntimeException e) {
      started.close();
      throw e;
    }
    return started;
  }

  /** The running webhooks, in the organization file's order. */
  public List<WebhookStage> stages() {
    return List.copyOf(stages);
  }

  @Override
  public void close() {
    for (int i = stages.size() - 1; i >= 0; i--) {
      stages.get(i).close();
    }
    timer.shutdownNow();
  }
}
