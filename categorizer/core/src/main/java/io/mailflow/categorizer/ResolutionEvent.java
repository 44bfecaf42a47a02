package io.mailflow.categorizer;

import java.util.List;

/**
 * ResolutionEvent - a message-tracking fact produced while resolving recipients.
 *
 * @param eventId what happened (Exchange's event id)
 * @param recipients the recipient addresses the event is about (for REDIRECT: the target address)
 * @param status per-recipient status text (for FAIL: the NDR status), may be empty
 * @param related related-recipient-address: the original address for RESOLVE and REDIRECT, the group for
 *     EXPAND
 */
public record ResolutionEvent(ResolutionEventId eventId, List<String> recipients, List<String> status, String related) {
  public ResolutionEvent {
    recipients = List.copyOf(recipients);
    status = List.copyOf(status);
  }
}
