package io.mailflow.edge.protocol;

import io.mailflow.smtp.SmtpReply;

/**
 * HookResult - a policy hook's verdict on one command: accept it, or deny it permanently (5xx) or
 * temporarily (4xx) with the reply the client gets.
 */
public record HookResult(Decision decision, SmtpReply reply) {

  public enum Decision { ACCEPT, DENY, DENYSOFT }

  public static final HookResult ACCEPT = new HookResult(Decision.ACCEPT, null);

  public HookResult {
    if (decision == null) {
      throw new IllegalArgumentException("decision must not be null");
    }
    if (decision == Decision.ACCEPT && reply != null) {
      throw new IllegalArgumentException("ACCEPT carries no reply; the verb's handler answers");
    }
    if (decision == Decision.DENY && (reply == null || !reply.isPermanentNegative())) {
      throw new IllegalArgumentException("DENY needs a 5xx reply, got " + reply);
    }
    if (decision == Decision.DENYSOFT && (reply == null || !reply.isTransientNegative())) {
      throw new IllegalArgumentException("DENYSOFT needs a 4xx reply, got " + reply);
    }
  }

  public static HookResult deny(SmtpReply reply) {
    return new HookResult(Decision.DENY, reply);
  }

  public static HookResult denySoft(SmtpReply reply) {
    return new HookResult(Decision.DENYSOFT, reply);
  }

  public boolean accepted() {
    return decision == Decision.ACCEPT;
  }
}
