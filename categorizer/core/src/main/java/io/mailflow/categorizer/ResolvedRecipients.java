package io.mailflow.categorizer;

import java.util.List;

/**
 * ResolvedRecipients - the outcome of resolving one message's envelope recipients.
 *
 * @param deliverable recipients to route, each once, in envelope order
 * @param events what resolution did, in order, for message tracking (RESOLVE, EXPAND, FAIL ...)
 * @param failed the recipients that failed (each also in a FAIL event), for their non-delivery report
 * @param expanded the groups expanded for a recipient that asked NOTIFY=SUCCESS, for their "expanded" DSN
 */
public record ResolvedRecipients(List<Resolution> deliverable, List<ResolutionEvent> events,
    List<FailedRecipient> failed, List<ExpandedGroup> expanded) {
  public ResolvedRecipients {
    deliverable = List.copyOf(deliverable);
    events = List.copyOf(events);
    failed = List.copyOf(failed);
    expanded = List.copyOf(expanded);
  }

  /** Nothing failed, nothing to report. */
  public ResolvedRecipients(List<Resolution> deliverable, List<ResolutionEvent> events) {
    this(deliverable, events, List.of(), List.of());
  }
}
