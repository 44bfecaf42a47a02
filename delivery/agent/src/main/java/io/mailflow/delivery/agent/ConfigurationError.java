package io.mailflow.delivery.agent;

import io.mailflow.smtp.SmtpReply;
import io.mailflow.schemas.avro.NextHop;

/**
 * ConfigurationError - a next hop this node's organization config cannot serve (a send connector it does
 * not have, a site or DAG with no server to relay to): not a missing feature, so the reply and the tracking
 * say which setting and where. The copy stays queued (transient, as Exchange queues it), so fixing the
 * config delivers it; until then it is retried on the schedule and expires like any deferred copy.
 *
 * @param what what is wrong, naming the connector, site or DAG
 * @param configKey the organization config key to fix, e.g. {@code sendConnectors[].name}
 */
record ConfigurationError(String what, String configKey) {

  /** The reply every recipient of the copy gets (451 4.4.0: a fixed config delivers the copy). */
  SmtpReply reply(NextHop hop, String serverName) {
    return SmtpReply.of(451, "4.4.0", what + " (configuration error: " + configKey + " in the organization config"
        + " of " + serverName + "; next hop " + hop.getDeliveryType() + " " + hop.getNextHopDomain()
        + "); the message stays queued until the config is fixed");
  }

  /** The source-context part. */
  String detail() {
    return "configuration error: " + what + " (" + configKey + ")";
  }

  @Override
  public String toString() {
    return what + " (" + configKey + ")";
  }
}
