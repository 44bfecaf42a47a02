import io.mailflow.schemas.avro.TrackingEvent;
import io.mailflow.schemas.codec.AvroCodec;
import java.time.Instant;
import java.util.List;

/**
 * EventEncodingBench - bytes per event and encode time per event of the event streams' two forms (Avro single-object,
 * the JSON form EventJson writes) for a typical RECEIVE (edge) and DELIVER (mailbox delivery) tracking event, filled as
 * the stages fill them. Run by event-encoding.sh; prints one line per event and form.
 */
public final class EventEncodingBench {
  static TrackingEvent receive() {
    return TrackingEvent.newBuilder().setDateTime(Instant.parse("2026-12-07T21:00:39.530Z"))
        .setClientIp("127.0.0.1").setClientHostname("client.example").setServerIp("127.0.0.1")
        .setServerHostname("EX01").setSourceContext("08DE36D4D6D70E5B;2026-12-07T21:00:39.378Z;0")
        .setConnectorId("EX01\\Default Frontend EX01").setSource("SMTP").setEventId("RECEIVE")
        .setInternalMessageId("1").setMessageId("<1442070893.0.1796677239374@client.example>")
        .setNetworkMessageId("c9a3d6f4-54b2-4d0e-9b0e-5a1f0d7c3e21")
        .setRecipientAddress(List.of("alice@contoso.test")).setRecipientStatus(List.of())
        .setTotalBytes(742).setRecipientCount(1).setMessageSubject("Quarterly report")
        .setSenderAddress("carol@example.com").setReturnPath("carol@example.com").setDirectionality("Incoming")
        .build();
  }

  static TrackingEvent deliver() {
    return TrackingEvent.newBuilder().setDateTime(Instant.parse("2026-12-07T21:00:39.742Z"))
        .setServerHostname("EX01").setSource("STOREDRIVER").setEventId("DELIVER")
        .setMessageId("<1442070893.0.1796677239374@client.example>")
        .setNetworkMessageId("c9a3d6f4-54b2-4d0e-9b0e-5a1f0d7c3e21")
        .setRecipientAddress(List.of("alice@contoso.test")).setRecipientStatus(List.of("250 2.0.0 OK"))
        .setTotalBytes(742).setRecipientCount(1).setMessageSubject("Quarterly report")
        .setSenderAddress("carol@example.com").setReturnPath("carol@example.com")
        .setConnectorId("DB01").setDirectionality("Incoming").build();
  }

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    AvroCodec<TrackingEvent> codec = AvroCodec.ofEvents(TrackingEvent.class);
    for (TrackingEvent event : List.of(receive(), deliver())) {
      int avroBytes = codec.encode(event).length;
      int jsonBytes = codec.encodeJson(event).length;
      for (int round = 0; round < 3; round++) { // the last round is the one reported: JIT warm
        long sink = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
          sink += codec.encode(event).length;
        }
        long avroNs = System.nanoTime() - t0;
        t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
          sink += codec.encodeJson(event).length;
        }
        long jsonNs = System.nanoTime() - t0;
        t0 = System.nanoTime();
        byte[] json = codec.encodeJson(event);
        for (int i = 0; i < n / 4; i++) {
          sink += codec.decode(json).getTotalBytes();
        }
        long jsonDecodeNs = (System.nanoTime() - t0) * 4;
        if (round == 2) {
          System.out.printf("%-8s avro %4d B %6.0f ns/event | json %4d B %6.0f ns/event (%.1fx bytes) | json decode %6.0f ns/event%s%n",
              event.getEventId(), avroBytes, (double) avroNs / n, jsonBytes, (double) jsonNs / n,
              (double) jsonBytes / avroBytes, (double) jsonDecodeNs / n, sink == 42 ? "!" : "");
        }
      }
    }
  }
}
