package io.mailflow.webhooks;

import io.mailflow.organization.Webhook;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Notification - one status change of one recipient of one message, ready to POST: its id (the same on every
 * retry, so a receiver can de-duplicate), what happened, and the JSON body as sent (and signed).
 *
 * @param id derived from where its tracking event is in mail.tracking.v1 and the recipient: stable across retries
 *     and restarts
 * @param event delivered, deferred, failed or bounced
 * @param body the JSON body, UTF-8
 */
record Notification(String id, Webhook.Event event, byte[] body) {
  Notification {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(body, "body");
  }

  @Override
  public String toString() {
    return event.jsonName() + " " + id + " " + new String(body, StandardCharsets.UTF_8);
  }
}
