package io.mailflow.cli;

import io.mailflow.admin.QueueActions;
import io.mailflow.kafka.ControlView;
import io.mailflow.kafka.KafkaUnavailableException;
import io.mailflow.schemas.avro.ControlKind;
import io.mailflow.schemas.avro.ControlRecord;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * KafkaOption - the cluster an admin command talks to ({@code --bootstrap}, {@code --kafka-timeout}), and
 * the admin state it reads and sets there (mail.control.v1). Every failure is one {@link CliFailure} line.
 */
final class KafkaOption {
  @Option(names = "--bootstrap", defaultValue = "127.0.0.1:" + RunCommand.DEFAULT_KAFKA_PORT,
      description = "Kafka bootstrap servers (default: the broker of `mailflow run`, ${DEFAULT-VALUE})")
  String bootstrap;

  @Option(names = "--kafka-timeout", defaultValue = "15", paramLabel = "SECONDS",
      description = "Give up when Kafka does not answer within this many seconds (default: ${DEFAULT-VALUE}).")
  long kafkaTimeoutSeconds;

  Duration timeout() {
    if (kafkaTimeoutSeconds <= 0) {
      throw new CliFailure("--kafka-timeout must be a positive number of seconds, not " + kafkaTimeoutSeconds);
    }
    return Duration.ofSeconds(kafkaTimeoutSeconds);
  }

  /** The admin state as it is now (read to the topic's end). */
  ControlView control(String clientId) {
    try {
      return ControlView.start(bootstrap, clientId, timeout());
    } catch (KafkaUnavailableException e) {
      throw new CliFailure(e.getMessage(), e);
    }
  }

  /** Writes a setting, by whoever runs the command, and answers the record once Kafka has it. */
  ControlRecord setControl(ControlKind kind, String target, String state, String reason, String clientId) {
    try {
      return QueueActions.write(bootstrap, kind, target, state, reason, who(), timeout(), clientId);
    } catch (KafkaUnavailableException e) {
      throw new CliFailure(e.getMessage(), e);
    }
  }

  /** Who sets admin state: user@host, as the control record and the tracking events name it. */
  static String who() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "localhost";
    }
    return System.getProperty("user.name", "unknown") + "@" + host;
  }
}
