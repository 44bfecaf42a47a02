package io.mailflow.categorizer;

import java.util.List;

/**
 * ResolvedRecipients - the outcome of resolving one message's envelope recipients.
 *
 * @param deliverable recipients to route, each once, in envelope order
 * @param events what resolution did, in order, for message tracking (RESOLVE, EXPAND, FAIL ...)
 * @param failed the recipients that failed (each also in a FAIL event), for their non-delivery report
 */
public record ResolvedRecipients(List<Resolution> deliverable, List<ResolutionEvent> events,
    List<FailedRecipient> failed) {
  public ResolvedRecipients {
    deliverable = List.copyOf(deliverable);
    events = List.copyOf(events);
    failed = List.copyOf(failed);
  }

  /** Nothing failed. */
  public ResolvedRecipients(List<Resolution> deliverable, List<ResolutionEvent> events) {
    this(deliverable, events, List.of());
  }
}
