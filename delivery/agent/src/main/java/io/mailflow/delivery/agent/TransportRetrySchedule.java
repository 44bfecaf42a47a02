package io.mailflow.delivery.agent;

import io.mailflow.delivery.core.RetrySchedule;
import io.mailflow.organization.TransportService;

/**
 * TransportRetrySchedule - the retry schedule an organization's {@code transportService} settings give
 * delivery. Exchange's defaults live in {@link TransportService} only; the glitch tier (4 retries at 1 minute)
 * is not a Set-TransportService parameter and stays fixed.
 */
public final class TransportRetrySchedule {
  private TransportRetrySchedule() {}

  /** Exchange's glitch tier followed by the service's retry, delay DSN and expiration settings. */
  public static RetrySchedule of(TransportService service) {
    return RetrySchedule.withExchangeGlitchRetries(service.transientFailureRetryAttempts(),
        service.transientFailureRetryInterval(), service.messageRetryInterval(),
        service.outboundConnectionFailureRetryInterval(), service.delayNotificationTimeout(),
        service.messageExpirationTimeout());
  }

  /** {@code base}'s glitch tier (shrunk in tests) followed by the service's settings. */
  public static RetrySchedule of(RetrySchedule base, TransportService service) {
    return base.withTransportSettings(service.transientFailureRetryAttempts(),
        service.transientFailureRetryInterval(), service.messageRetryInterval(),
        service.outboundConnectionFailureRetryInterval(), service.delayNotificationTimeout(),
        service.messageExpirationTimeout());
  }
}
