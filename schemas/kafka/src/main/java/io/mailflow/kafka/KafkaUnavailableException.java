package io.mailflow.kafka;

/** KafkaUnavailableException - Kafka could not be reached or refused what a stage needs at start. */
public final class KafkaUnavailableException extends RuntimeException {
  public KafkaUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
