package io.mailflow.kafka;

import java.util.concurrent.CompletionStage;

/**
 * RecordProcessor - what a stage does with one decoded record.
 *
 * <p>Returns a stage that completes when everything the record caused is durable (its output records
 * acknowledged, its mailbox file written, the remote server's 250 received). The loop commits the
 * record's offset only after that. An exceptional completion is a processing failure: the record is
 * tried again and parked on {@code mail.poison.v1} after the poison threshold.
 */
@FunctionalInterface
public interface RecordProcessor<V> {
  CompletionStage<?> process(String key, V value, RecordOrigin origin);
}
