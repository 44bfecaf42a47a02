package io.mailflow.tracking;

import io.mailflow.schemas.avro.TrackingEvent;
import java.util.List;

/** DeliveryReports - builds a {@link DeliveryReport} from one message's tracking events. */
final class DeliveryReports {
  private DeliveryReports() {}

  static DeliveryReport build(List<TrackingEvent> events) {
    throw new UnsupportedOperationException("not yet");
  }
}
