package io.mailflow.categorizer;

import java.util.List;

/**
 * ResolvedRecipients - the outcome of resolving one message's envelope recipients.
 *
 * @param deliverable recipients to route, each once, in envelope order
 * @param events what resolution did, in order, for message tracking (RESOLVE, EXPAND, FAIL ...)
 */
public record ResolvedRecipients(List<Resolution> deliverable, List<ResolutionEvent> events) {
  public ResolvedRecipients {
    deliverable = List.copyOf(deliverable);
    events = List.copyOf(events);
  }
}
