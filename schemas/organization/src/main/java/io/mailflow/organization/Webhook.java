package io.mailflow.organization;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * Webhook - an HTTP endpoint told of message status changes (delivered, deferred, failed, bounced) by a signed
 * JSON POST each, as Postal, Mailgun and SendGrid do; Exchange has no such thing. ops/webhooks sends them.
 *
 * @param name the endpoint's name: letters, digits and {@code . _ -}, unique; it names the endpoint's consumer
 *     group ({@code mailflow-webhook-<name>}) and its meters
 * @param url where to POST: https, or plain http to a loopback address only (unless {@code allowInsecureHttp})
 * @param secretFile the file holding the HMAC-SHA256 key (its first line), resolved against the organization
 *     file's directory; the key stays out of the YAML as send connectors' passwords do
 * @param secret the key read from {@code secretFile} (never printed by {@link #toString()})
 * @param events which status changes are sent; default all four
 * @param timeout how long one POST may take before it counts as failed (retried); default 10 s
 * @param maxRetryTime how long a notification is retried, from when it is read, before it is dropped and counted;
 *     default 24 h
 * @param enabled false: configured but not sent (its consumer group keeps its place); default true
 * @param allowInsecureHttp true: plain http to any host is allowed (the body and signature travel in the clear);
 *     default false
 */
public record Webhook(String name, String url, String secretFile, String secret, Set<Event> events,
    Duration timeout, Duration maxRetryTime, boolean enabled, boolean allowInsecureHttp) {

  /** One POST may take this long (Stripe and SendGrid give up on a receiver after about as long). */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
  /**
   * A notification is retried this long: a receiver down for a working day and a night still gets everything
   * (SendGrid's own window; Mailgun's is 8 h, Stripe's 3 days); well inside mail.tracking.v1's retention.
   */
  public static final Duration DEFAULT_MAX_RETRY_TIME = Duration.ofHours(24);

  /** The status changes a webhook may be sent, named as the admin writes them. */
  public enum Event {
    /** Delivered to a mailbox, or handed to a server outside the organization. */
    Delivered,
    /** Deferred: delivery will be retried. */
    Deferred,
    /** Failed for good. */
    Failed,
    /** A non-delivery report was sent to the sender. */
    Bounced;

    /** The name in the JSON body: {@code delivered}, {@code deferred} ... */
    public String jsonName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public Webhook {
    Objects.requireNonNull(name, "name");
    events = Set.copyOf(events);
  }

  @Override
  public String toString() {
    return "Webhook[name=" + name + ", url=" + url + ", secretFile=" + secretFile + ", events=" + events
        + ", timeout=" + timeout + ", maxRetryTime=" + maxRetryTime + ", enabled=" + enabled
        + ", allowInsecureHttp=" + allowInsecureHttp + "]";
  }
}
