package io.mailflow.tracking;

import io.mailflow.schemas.avro.TrackingEvent;
import java.util.Locale;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;

/**
 * TrackingFields - one tracking event as a Lucene document: a keyword field per Get-MessageTrackingLog filter
 * (lower-cased; not stored), the date-time as a point (ranges, retention) and doc values (sorting), the event's
 * position on mail.tracking.v1 as doc values (the tie-break), and the event itself as its Avro bytes (stored).
 */
final class TrackingFields {
  static final String DATE_TIME = "dt";
  static final String POSITION = "pos";
  static final String EVENT = "event";
  static final String SENDER = "sender";
  static final String RECIPIENT = "rcpt";
  static final String RELATED_RECIPIENT = "related";
  static final String MESSAGE_ID = "mid";
  static final String NETWORK_MESSAGE_ID = "nmid";
  static final String INTERNAL_MESSAGE_ID = "imid";
  static final String EVENT_ID = "eid";
  static final String SOURCE = "src";
  static final String SERVER = "server";
  static final String REFERENCE = "ref";
  static final String SUBJECT = "subject";

  /** Bits of the position left for the offset: 2^40 records a partition, 2^23 partitions. */
  static final int OFFSET_BITS = 40;

  private TrackingFields() {}

  /** The position that orders events with the same date-time: partition, then offset. */
  static long position(int partition, long offset) {
    return ((long) partition << OFFSET_BITS) | (offset & ((1L << OFFSET_BITS) - 1));
  }

  /**
   * The document of {@code event} read at {@code position}; {@code bytes} its Avro encoding as stored (without the
   * subject when subject logging is off: the caller strips it).
   */
  static Document document(TrackingEvent event, byte[] bytes, long position, boolean subjects) {
    Document doc = new Document();
    long dt = event.getDateTime().toEpochMilli();
    doc.add(new LongPoint(DATE_TIME, dt));
    doc.add(new NumericDocValuesField(DATE_TIME, dt));
    doc.add(new NumericDocValuesField(POSITION, position));
    doc.add(new StoredField(EVENT, bytes));
    keyword(doc, SENDER, event.getSenderAddress());
    for (String r : event.getRecipientAddress()) {
      keyword(doc, RECIPIENT, r);
    }
    keyword(doc, RELATED_RECIPIENT, event.getRelatedRecipientAddress());
    keyword(doc, MESSAGE_ID, TrackingQuery.bareMessageId(event.getMessageId()));
    keyword(doc, NETWORK_MESSAGE_ID, event.getNetworkMessageId());
    keyword(doc, INTERNAL_MESSAGE_ID, event.getInternalMessageId());
    keyword(doc, EVENT_ID, event.getEventId());
    keyword(doc, SOURCE, event.getSource());
    String server = event.getServerHostname();
    keyword(doc, SERVER, server);
    if (server != null && server.indexOf('.') > 0) {
      keyword(doc, SERVER, server.substring(0, server.indexOf('.'))); // -Server EX01 finds ex01.contoso.com
    }
    keyword(doc, REFERENCE, event.getReference());
    if (subjects) {
      keyword(doc, SUBJECT, event.getMessageSubject());
    }
    return doc;
  }

  private static void keyword(Document doc, String field, String value) {
    if (value != null && !value.isBlank()) {
      String v = value.trim().toLowerCase(Locale.ROOT);
      if (v.length() > 8000) {
        v = v.substring(0, 8000); // Lucene's term limit is 32 KB; a subject longer than this is cut for the index
      }
      doc.add(new StringField(field, v, Field.Store.NO));
    }
  }
}
