package io.mailflow.tracking;

import io.mailflow.kafka.TrackingEventId;
import io.mailflow.schemas.avro.TrackingEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * DeliveryReports - builds a {@link DeliveryReport} from one message's tracking events, in date-time order.
 *
 * <p>RECEIVE, SUBMIT, RESUBMIT and POISONMESSAGE are the message's own events (they start a line, Pending, for each
 * recipient they name). Every other event goes on the timeline of each recipient it names, with that recipient's
 * status entry. A recipient's status is the word of its latest deciding event: DELIVER Delivered, FAIL Failed, SEND
 * Transferred (until a later event of another server about it says it is still on its way, as an SMTP relay inside
 * the organization shows), RECEIVE / DEFER / TRANSFER Pending; a group that was expanded stays Expanded and its
 * members get their own lines after it. RESOLVE and REDIRECT continue the original address's line under the new
 * address. QUEUESTATE and QUEUEACTION are about queues, not messages, and are left out.
 */
final class DeliveryReports {
  private static final Set<String> MESSAGE_EVENTS = Set.of(TrackingEventId.RECEIVE.name(),
      TrackingEventId.SUBMIT.name(), TrackingEventId.RESUBMIT.name(), TrackingEventId.POISONMESSAGE.name());

  private DeliveryReports() {}

  /** One recipient's line while it is built. */
  private static final class Line {
    String address;
    DeliveryStatus status = DeliveryStatus.PENDING;
    String expandedFrom;
    String expandedFromKey;
    final List<DeliveryReport.Event> events = new ArrayList<>();

    Line(String address) {
      this.address = address;
    }
  }

  static DeliveryReport build(List<TrackingEvent> all) {
    List<TrackingEvent> events = new ArrayList<>();
    for (TrackingEvent e : all) {
      if (!TrackingStore.isQueueEvent(e)) {
        events.add(e);
      }
    }
    if (events.isEmpty()) {
      throw new IllegalArgumentException("no event of a message (only queue events, or none)");
    }
    events.sort(Comparator.comparing(TrackingEvent::getDateTime)); // stable: ties keep the topic's order

    Set<String> networkMessageIds = new LinkedHashSet<>();
    String messageId = null;
    String subject = null;
    String sender = null;
    Instant submitTime = null;
    Map<String, Line> lines = new LinkedHashMap<>(); // by lower-cased address, aliases included
    List<Line> order = new ArrayList<>();
    List<DeliveryReport.Event> messageEvents = new ArrayList<>();

    for (TrackingEvent e : events) {
      networkMessageIds.add(e.getNetworkMessageId());
      messageId = messageId == null ? e.getMessageId() : messageId;
      subject = subject == null ? e.getMessageSubject() : subject;
      String id = e.getEventId();
      if (MESSAGE_EVENTS.contains(id)) {
        if (submitTime == null) {
          submitTime = e.getDateTime();
        }
        if (sender == null) {
          sender = e.getSenderAddress();
        }
        messageEvents.add(event(e, null));
      }
      List<String> recipients = e.getRecipientAddress();
      if (TrackingEventId.EXPAND.name().equals(id) && e.getRelatedRecipientAddress() != null) {
        Line group = line(lines, order, e.getRelatedRecipientAddress());
        group.status = DeliveryStatus.EXPANDED;
        group.events.add(event(e, null));
      }
      if ((TrackingEventId.RESOLVE.name().equals(id) || TrackingEventId.REDIRECT.name().equals(id))
          && e.getRelatedRecipientAddress() != null && recipients.size() == 1) {
        String to = key(recipients.get(0));
        Line original = lines.get(key(e.getRelatedRecipientAddress()));
        if (original != null && !lines.containsKey(to)) {
          original.address = recipients.get(0); // the same recipient, now under its resolved address
          lines.put(to, original);
        }
      }
      for (int i = 0; i < recipients.size(); i++) {
        String address = recipients.get(i);
        boolean known = lines.containsKey(key(address));
        Line line = line(lines, order, address);
        if (TrackingEventId.EXPAND.name().equals(id) && !known && e.getRelatedRecipientAddress() != null) {
          line.expandedFrom = e.getRelatedRecipientAddress();
          line.expandedFromKey = key(e.getRelatedRecipientAddress());
        }
        if (MESSAGE_EVENTS.contains(id)) {
          if (known && line.status != DeliveryStatus.EXPANDED) {
            line.status = DeliveryStatus.PENDING; // received again (another server): on its way
          }
          continue;
        }
        String status = i < e.getRecipientStatus().size() ? e.getRecipientStatus().get(i) : null;
        line.events.add(event(e, status == null || status.isEmpty() ? null : status));
        if (line.status != DeliveryStatus.EXPANDED) {
          line.status = decide(id, line.status);
        }
      }
    }
    if (submitTime == null) {
      submitTime = events.get(0).getDateTime();
    }
    if (sender == null) {
      sender = events.stream().map(TrackingEvent::getSenderAddress).filter(s -> s != null).findFirst().orElse(null);
    }
    return new DeliveryReport(List.copyOf(networkMessageIds), messageId, subject, sender, submitTime,
        ordered(order, lines), messageEvents);
  }

  private static DeliveryStatus decide(String eventId, DeliveryStatus current) {
    TrackingEventId id;
    try {
      id = TrackingEventId.valueOf(eventId);
    } catch (IllegalArgumentException unknown) {
      return current; // an event id of a later release: shown, decides nothing
    }
    return switch (id) {
      case DELIVER -> DeliveryStatus.DELIVERED;
      case FAIL -> DeliveryStatus.FAILED;
      case SEND -> DeliveryStatus.TRANSFERRED;
      case DEFER, TRANSFER, RECEIVE, SUBMIT, RESUBMIT -> DeliveryStatus.PENDING;
      default -> current; // RESOLVE, REDIRECT, DUPLICATEEXPAND, DSN, ...: reports, no change of place
    };
  }

  /** Top-level lines in order of first appearance, each followed by the members it was expanded into. */
  private static List<DeliveryReport.Recipient> ordered(List<Line> order, Map<String, Line> lines) {
    Map<Line, List<Line>> members = new HashMap<>();
    List<Line> top = new ArrayList<>();
    for (Line line : order) {
      Line group = line.expandedFromKey == null ? null : lines.get(line.expandedFromKey);
      if (group == null || group == line) {
        top.add(line);
      } else {
        members.computeIfAbsent(group, g -> new ArrayList<>()).add(line);
      }
    }
    List<DeliveryReport.Recipient> out = new ArrayList<>();
    Set<Line> done = new HashSet<>();
    for (Line line : top) {
      emit(line, members, out, done);
    }
    for (Line line : order) { // members of groups in a loop (never reached from the top): still listed
      emit(line, members, out, done);
    }
    return out;
  }

  private static void emit(Line line, Map<Line, List<Line>> members, List<DeliveryReport.Recipient> out,
      Set<Line> done) {
    if (!done.add(line)) {
      return;
    }
    out.add(new DeliveryReport.Recipient(line.address, line.status, line.expandedFrom, line.events));
    for (Line member : members.getOrDefault(line, List.of())) {
      emit(member, members, out, done);
    }
  }

  private static Line line(Map<String, Line> lines, List<Line> order, String address) {
    return lines.computeIfAbsent(key(address), k -> {
      Line line = new Line(address);
      order.add(line);
      return line;
    });
  }

  private static String key(String address) {
    return address.trim().toLowerCase(Locale.ROOT);
  }

  private static DeliveryReport.Event event(TrackingEvent e, String recipientStatus) {
    return new DeliveryReport.Event(e.getDateTime(), e.getServerHostname(), e.getSource(), e.getEventId(),
        recipientStatus, e.getSourceContext(), e.getConnectorId(), e.getNetworkMessageId(),
        e.getRelatedRecipientAddress());
  }
}
