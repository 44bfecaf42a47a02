package io.mailflow.webhooks;

import io.mailflow.organization.Webhook;
import io.mailflow.webhooks.WebhookMeters.Outcome;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WebhookEndpoint - POSTs one webhook's notifications, signed, at most {@link #MAX_IN_FLIGHT} at a time, with the
 * JDK's HttpClient (its own threads: no event loop ever waits for a receiver). {@link #deliver} completes when the
 * notification is settled: answered 2xx ({@code sent}), or dropped — refused for good (a 4xx other than 408 and
 * 429, or a 3xx: redirects are not followed, a signed body goes only where the admin said), or given up after
 * maxRetryTime. It never completes exceptionally; the stage loop commits an offset only after that.
 *
 * <p>A 5xx, 408, 429, a refused connection or a timeout is retried with exponential backoff: from
 * {@link Options#firstRetry} (1 s) doubling to {@link #MAX_BACKOFF} (5 min), each wait jittered to between half
 * and all of it, a longer Retry-After honoured up to the cap. The first such failure marks the endpoint down
 * (logged once, at INFO): then one notification at a time probes it, on the endpoint's own backoff, while the
 * others wait (their records uncommitted in Kafka; the stage loop stops fetching once its window is full). The
 * first 2xx marks it back up (logged) and everything due flows again at full concurrency.
 */
final class WebhookEndpoint implements AutoCloseable {
  /** POSTs in flight to one endpoint while it is up. */
  static final int MAX_IN_FLIGHT = 8;
  static final Duration FIRST_RETRY = Duration.ofSeconds(1);
  static final Duration MAX_BACKOFF = Duration.ofMinutes(5);
  static final String EVENT_HEADER = "X-Mailflow-Event";
  static final String ID_HEADER = "X-Mailflow-Id";
  static final String USER_AGENT = "mailflow-webhooks";

  private static final Logger log = LoggerFactory.getLogger(WebhookEndpoint.class);

  /** @param firstRetry the first backoff (tests shorten it); later ones double up to {@link #MAX_BACKOFF} */
  record Options(Duration firstRetry, Clock clock) {
    static Options defaults() {
      return new Options(FIRST_RETRY, Clock.systemUTC());
    }
  }

  private final Webhook config;
  private final URI uri;
  /** For logs: the endpoint's name and host, never its path or query (a receiver may put a token there). */
  private final String who;
  private final WebhookSignature signature;
  private final Options options;
  private final ExecutorService httpThreads;
  private final HttpClient http;
  private final ScheduledExecutorService timer;
  private final WebhookMeters meters;
  private final AtomicInteger pending = new AtomicInteger();

  // guarded by this
  private final Deque<Attempt> ready = new ArrayDeque<>();
  private int inFlight;
  private boolean down;
  private long downSinceNanos;
  /** Failed probes in a row: they set the endpoint's backoff. */
  private int failuresWhileDown;
  /** Every attempt that failed since it went down, for the "back" line. */
  private int failedSinceDown;
  private long nextProbeNanos;
  private boolean closed;
  /** The last sweep of {@link #ready} for notifications past maxRetryTime (System.nanoTime()). */
  private long lastSweepNanos = System.nanoTime();
  private static final long SWEEP_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** One notification on its way, across its retries. */
  private final class Attempt {
    final Notification notification;
    final CompletableFuture<Void> settled = new CompletableFuture<>();
    /** When it was read from Kafka: maxRetryTime counts from here, tried or still waiting for a probe. */
    final long acceptedNanos = System.nanoTime();
    int failures;
    /** Sent while the endpoint was down: its answer decides whether the endpoint is back. */
    boolean probe;

    Attempt(Notification notification) {
      this.notification = notification;
    }

    long deadlineNanos() {
      return acceptedNanos + config.maxRetryTime().toNanos();
    }
  }

  WebhookEndpoint(Webhook config, ScheduledExecutorService timer, MeterRegistry registry, Options options) {
    this.config = config;
    this.uri = URI.create(config.url());
    this.who = "webhook " + config.name() + " (" + uri.getHost() + ")";
    this.signature = new WebhookSignature(config.secret());
    this.options = options;
    this.timer = timer;
    this.httpThreads = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "webhook-" + config.name());
      t.setDaemon(true);
      return t;
    });
    this.http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1) // no h2c upgrade dance with plain-http receivers
        .followRedirects(HttpClient.Redirect.NEVER) // a signed body goes only where the admin said
        .connectTimeout(config.timeout())
        .executor(httpThreads)
        .build();
    this.meters = new WebhookMeters(registry, config.name(), pending::get);
  }

  /** Notifications read and not yet settled (the pending gauge). */
  int pending() {
    return pending.get();
  }

  /** Sends {@code notification}; completes (never exceptionally) when it is sent or dropped. */
  CompletableFuture<Void> deliver(Notification notification) {
    Attempt attempt = new Attempt(notification);
    pending.incrementAndGet();
    synchronized (this) {
      ready.addLast(attempt);
    }
    pump();
    return attempt.settled;
  }

  /** Starts what may start now: up to MAX_IN_FLIGHT while up; one probe at a time, when due, while down. */
  private void pump() {
    List<Attempt> send = new ArrayList<>();
    List<Attempt> expired = new ArrayList<>();
    synchronized (this) {
      if (closed) {
        return;
      }
      long now = System.nanoTime();
      if (now - lastSweepNanos > SWEEP_INTERVAL_NANOS) {
        // waited past maxRetryTime for the endpoint to come back (while down only one probe goes at a time, so
        // most of what waits is never tried); all but the head, the next probe: an endpoint is always probed
        lastSweepNanos = now;
        Attempt head = ready.peekFirst();
        ready.removeIf(a -> {
          boolean past = a != head && now - a.deadlineNanos() > 0;
          if (past) {
            expired.add(a);
          }
          return past;
        });
      }
      while (!ready.isEmpty()) {
        if (down ? inFlight > 0 || now < nextProbeNanos : inFlight >= MAX_IN_FLIGHT) {
          break;
        }
        Attempt a = ready.pollFirst();
        if (!down && a.failures > 0 && now - a.deadlineNanos() > 0) {
          expired.add(a); // a retry that waited for a free slot past its time (while down it goes as the probe)
          continue;
        }
        inFlight++;
        a.probe = down;
        send.add(a);
        if (down) {
          break;
        }
      }
    }
    expired.forEach(a -> giveUp(a, "still waiting for its turn (the endpoint down, or busy with 8 in flight)"));
    send.forEach(this::post);
  }

  private void post(Attempt a) {
    long unixSeconds = options.clock().instant().getEpochSecond();
    byte[] body = a.notification.body();
    HttpRequest request = HttpRequest.newBuilder(uri)
        .timeout(config.timeout())
        .header("Content-Type", "application/json")
        .header("User-Agent", USER_AGENT)
        .header(EVENT_HEADER, a.notification.event().jsonName())
        .header(ID_HEADER, a.notification.id())
        .header(WebhookSignature.TIMESTAMP_HEADER, Long.toString(unixSeconds))
        .header(WebhookSignature.SIGNATURE_HEADER, signature.sign(unixSeconds, body))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build();
    long started = System.nanoTime();
    CompletableFuture<HttpResponse<Void>> response;
    try {
      response = http.sendAsync(request, HttpResponse.BodyHandlers.discarding());
    } catch (RuntimeException e) { // the executor is shut down (closing)
      response = CompletableFuture.failedFuture(e);
    }
    response.whenComplete((r, error) -> {
      synchronized (this) {
        inFlight--;
      }
      try {
        if (r != null) {
          meters.answered(Duration.ofNanos(System.nanoTime() - started));
          answered(a, r);
        } else {
          retry(a, describe(error), Duration.ZERO);
        }
      } finally {
        pump();
      }
    });
  }

  private void answered(Attempt a, HttpResponse<Void> response) {
    int status = response.statusCode();
    if (status >= 200 && status < 300) {
      up(status);
      settle(a, Outcome.sent);
    } else if (status >= 500 || status == 408 || status == 429 || status < 200) {
      retry(a, "HTTP " + status, retryAfter(response));
    } else {
      up(status); // it answers: refusing this one is about the notification, not the endpoint
      log.warn("{}: HTTP {} for {} notification {}: dropped (only 2xx is success; 4xx other than 408 and 429, and "
          + "3xx, are not retried)", who, status, a.notification.event().jsonName(), a.notification.id());
      settle(a, Outcome.dropped);
    }
  }

  /** A failed attempt: tried again after its backoff, unless that would pass maxRetryTime. */
  private void retry(Attempt a, String reason, Duration retryAfter) {
    a.failures++;
    Duration wait = longer(backoff(a.failures), retryAfter);
    long now = System.nanoTime();
    // first: the endpoint's probe backoff holds even when this notification is given up (else, past maxRetryTime,
    // each failed probe would send the next waiting notification at once)
    failed(a.probe, reason, retryAfter, now);
    if (now + wait.toNanos() - a.deadlineNanos() > 0) {
      giveUp(a, reason);
      return;
    }
    meters.count(a.notification.event(), Outcome.retried);
    schedule(() -> {
      synchronized (this) {
        ready.addLast(a);
      }
      pump();
    }, wait.toNanos());
  }

  /** Runs {@code task} on the shared timer after {@code nanos}; nothing once the webhooks are closing. */
  private void schedule(Runnable task, long nanos) {
    try {
      timer.schedule(task, nanos, TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closing: what is not settled stays uncommitted and is sent again after the restart
    }
  }

  private void giveUp(Attempt a, String reason) {
    log.warn("{}: gave up on {} notification {} after {} failed attempt(s) in {} s (maxRetryTime {} s): {}; dropped", who,
        a.notification.event().jsonName(), a.notification.id(), a.failures,
        Duration.ofNanos(System.nanoTime() - a.acceptedNanos).toSeconds(), config.maxRetryTime().toSeconds(), reason);
    settle(a, Outcome.dropped);
  }

  private void settle(Attempt a, Outcome outcome) {
    meters.count(a.notification.event(), outcome);
    pending.decrementAndGet();
    a.settled.complete(null);
  }

  /**
   * An attempt failed: the endpoint is down (logged once) and probed after its own backoff, which grows with each
   * failed probe (not with the other attempts that were in flight when it went down).
   */
  private void failed(boolean probe, String reason, Duration retryAfter, long now) {
    boolean wentDown;
    long wait;
    synchronized (this) {
      wentDown = !down;
      failedSinceDown = wentDown ? 1 : failedSinceDown + 1;
      if (wentDown) {
        down = true;
        downSinceNanos = now;
        failuresWhileDown = 1;
      } else if (probe) {
        failuresWhileDown++;
      } else {
        return; // sent before it went down: the probe schedule stands
      }
      wait = longer(backoff(failuresWhileDown), retryAfter).toNanos();
      nextProbeNanos = now + wait;
    }
    if (wentDown) {
      log.info("{}: down: {}; its notifications wait in Kafka, one probe at a time with backoff from {} ms to {} s",
          who, reason, options.firstRetry().toMillis(), MAX_BACKOFF.toSeconds());
    }
    schedule(this::pump, wait);
  }

  private void up(int status) {
    long downFor;
    int failures;
    synchronized (this) {
      if (!down) {
        return;
      }
      down = false;
      downFor = System.nanoTime() - downSinceNanos;
      failures = failedSinceDown;
    }
    log.info("{}: back (HTTP {}) after {} s down and {} failed attempt(s); sending what waited", who, status,
        String.format(java.util.Locale.ROOT, "%.1f", downFor / 1e9), failures);
  }

  /** Whether the endpoint is down now (its last attempt failed and no 2xx came since). */
  synchronized boolean isDown() {
    return down;
  }

  /** The n-th backoff: firstRetry doubled n-1 times, capped at MAX_BACKOFF, jittered to between half and all of it. */
  Duration backoff(int n) {
    long base = options.firstRetry().toMillis();
    for (int i = 1; i < n && base < MAX_BACKOFF.toMillis(); i++) {
      base *= 2;
    }
    base = Math.min(base, MAX_BACKOFF.toMillis());
    return Duration.ofMillis(base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1));
  }

  private static Duration longer(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  /** Retry-After in seconds (the form receivers use for 429 and 503), capped at MAX_BACKOFF; zero otherwise. */
  private static Duration retryAfter(HttpResponse<?> response) {
    return response.headers().firstValue("Retry-After").map(v -> {
      try {
        long seconds = Long.parseLong(v.strip());
        return seconds <= 0 ? Duration.ZERO : Duration.ofSeconds(Math.min(seconds, MAX_BACKOFF.toSeconds()));
      } catch (NumberFormatException e) {
        return Duration.ZERO; // an HTTP date: our own backoff will do
      }
    }).orElse(Duration.ZERO);
  }

  private String describe(Throwable error) {
    Throwable t = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (t instanceof HttpConnectTimeoutException) {
      return "no connection within " + config.timeout().toSeconds() + " s";
    }
    if (t instanceof HttpTimeoutException) {
      return "no answer within " + config.timeout().toSeconds() + " s";
    }
    if (t instanceof ConnectException) {
      return "connection refused";
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getClass().getSimpleName() + ": " + t.getMessage();
  }

  /** Stops sending; what is not settled stays uncommitted in Kafka and is sent again, with the same id, later. */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      ready.clear();
    }
    httpThreads.shutdownNow();
    meters.close();
  }
}
