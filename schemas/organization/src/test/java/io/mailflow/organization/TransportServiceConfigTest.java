package io.mailflow.organization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TransportServiceConfigTest {
  private static final String BASE = "serverName: EX01\nacceptedDomains: [contoso.test]\n";

  @TempDir
  Path tmp;

  @Test
  void protocolLogSettingsDefaultToExchanges() throws Exception {
    TransportService service = OrganizationLoader.parse(BASE, "test.yaml").transportService();
    assertNull(service.receiveProtocolLogPath());
    assertEquals(10L * 1024 * 1024, service.receiveProtocolLogMaxFileSize());
    assertEquals(250L * 1024 * 1024, service.receiveProtocolLogMaxDirectorySize());
    assertEquals(Duration.ofDays(30), service.receiveProtocolLogMaxAge());
    assertEquals(Path.of("data", "logs", "ProtocolLog", "SmtpReceive"),
        service.receiveProtocolLogDirectory(Path.of("data")));
  }

  @Test
  void protocolLogSettingsAreReadInExchangesNotations() throws Exception {
    TransportService service = OrganizationLoader.parse(BASE + "transportService:\n"
        + "  receiveProtocolLogPath: logs/recv\n"
        + "  receiveProtocolLogMaxFileSize: 1MB\n"
        + "  receiveProtocolLogMaxDirectorySize: unlimited\n"
        + "  receiveProtocolLogMaxAge: 7.00:00:00\n", "test.yaml").transportService();
    assertEquals(Path.of("logs/recv"), service.receiveProtocolLogPath());
    assertEquals(1024 * 1024, service.receiveProtocolLogMaxFileSize());
    assertEquals(Long.MAX_VALUE, service.receiveProtocolLogMaxDirectorySize());
    assertEquals(Duration.ofDays(7), service.receiveProtocolLogMaxAge());
    assertEquals(Path.of("data", "logs", "recv"), service.receiveProtocolLogDirectory(Path.of("data")),
        "a relative path is the data directory's");
    assertEquals(Path.of("/var/log/recv"), new TransportService(Path.of("/var/log/recv"), 1, 1, Duration.ZERO)
        .receiveProtocolLogDirectory(Path.of("data")));
  }

  @Test
  void zeroAgeMeansKeepForeverAsInExchange() throws Exception {
    assertEquals(Duration.ZERO, OrganizationLoader.parse(BASE + "transportService: {receiveProtocolLogMaxAge: 0}\n",
        "test.yaml").transportService().receiveProtocolLogMaxAge());
  }

  @Test
  void badValuesAreRefusedNamingFileLineAndPath() {
    OrganizationException e = assertThrows(OrganizationException.class, () -> OrganizationLoader.parse(BASE
        + "transportService:\n"
        + "  receiveProtocolLogPath: ''\n"
        + "  receiveProtocolLogMaxFileSize: 0\n"
        + "  receiveProtocolLogMaxDirectorySize: lots\n"
        + "  receiveProtocolLogMaxAge: -1d\n"
        + "  receiveProtocolLogMaxSize: 1MB\n", "test.yaml"));
    assertEquals(List.of(
        "transportService.receiveProtocolLogPath: empty path; leave the key out for the default "
            + "(<data-dir>/logs/ProtocolLog/SmtpReceive)",
        "transportService.receiveProtocolLogMaxFileSize: 0 out of range (1-9223372036854775807) or unlimited",
        "transportService.receiveProtocolLogMaxDirectorySize: expected a size such as 36MB, 256KB, 1GB or a number "
            + "of bytes, got 'lots'",
        "transportService.receiveProtocolLogMaxAge: expected a duration such as 30s, 10m, 1h, 00:10:00 or a number "
            + "of seconds, got '-1d'",
        "transportService: unknown key 'receiveProtocolLogMaxSize'; allowed keys: receiveProtocolLogPath, "
            + "receiveProtocolLogMaxFileSize, receiveProtocolLogMaxDirectorySize, receiveProtocolLogMaxAge, "
            + "maxOutboundConnections, maxPerDomainOutboundConnections, smtpMaxMessagesPerConnection, "
            + "delayNotificationTimeout, transientFailureRetryAttempts, transientFailureRetryInterval, "
            + "outboundConnectionFailureRetryInterval, messageRetryInterval, messageExpirationTimeout, poisonThreshold, "
            + "backPressure, messageTrackingLogEnabled, messageTrackingLogPath, messageTrackingLogMaxAge, "
            + "messageTrackingLogMaxDirectorySize, messageTrackingLogMaxFileSize, "
            + "messageTrackingLogSubjectLoggingEnabled, sendProtocolLogPath, sendProtocolLogMaxAge, "
            + "sendProtocolLogMaxDirectorySize, sendProtocolLogMaxFileSize, trackingEventFormat, protocolEventFormat, "
            + "flushToDiskBeforeAcknowledge, intraOrgConnectorProtocolLoggingLevel, inlineBodyLimit"),
        e.errors());
    assertTrue(e.getMessage().contains("test.yaml:5: transportService.receiveProtocolLogMaxFileSize: 0 out of range"),
        e.getMessage());
  }

  @Test
  void outboundLimitsAndDelayNotificationDefaultToExchanges() throws Exception {
    TransportService service = OrganizationLoader.parse(BASE, "test.yaml").transportService();
    assertEquals(1000, service.maxOutboundConnections());
    assertEquals(20, service.maxPerDomainOutboundConnections());
    assertEquals(20, service.smtpMaxMessagesPerConnection());
    assertEquals(Duration.ofHours(4), service.delayNotificationTimeout());
  }

  @Test
  void outboundLimitsAndDelayNotificationAreReadInExchangesNotations() throws Exception {
    TransportService service = OrganizationLoader.parse(BASE + "transportService:\n"
        + "  maxOutboundConnections: unlimited\n"
        + "  maxPerDomainOutboundConnections: 5\n"
        + "  smtpMaxMessagesPerConnection: 1\n"
        + "  delayNotificationTimeout: 01:30:00\n", "test.yaml").transportService();
    assertEquals(Integer.MAX_VALUE, service.maxOutboundConnections());
    assertEquals(5, service.maxPerDomainOutboundConnections());
    assertEquals(1, service.smtpMaxMessagesPerConnection());
    assertEquals(Duration.ofMinutes(90), service.delayNotificationTimeout());
  }

  @Test
  void badOutboundLimitsAreRefusedNamingFileLineAndPath() {
    OrganizationException e = assertThrows(OrganizationException.class, () -> OrganizationLoader.parse(BASE
        + "transportService:\n"
        + "  maxOutboundConnections: 0\n"
        + "  maxPerDomainOutboundConnections: many\n"
        + "  smtpMaxMessagesPerConnection: unlimited\n"
        + "  delayNotificationTimeout: 31.00:00:00\n", "test.yaml"));
    assertEquals(4, e.errors().size(), e.errors().toString());
    assertTrue(e.errors().get(0).startsWith("transportService.maxOutboundConnections: 0 out of range"), e.errors()
        .toString());
    assertTrue(e.errors().get(1).startsWith("transportService.maxPerDomainOutboundConnections: "), e.errors()
        .toString());
    assertTrue(e.errors().get(2).startsWith("transportService.smtpMaxMessagesPerConnection: "), e.errors()
        .toString());
    assertTrue(e.errors().get(3).startsWith("transportService.delayNotificationTimeout: "), e.errors().toString());
    assertTrue(e.getMessage().contains("test.yaml:4: transportService.maxOutboundConnections"), e.getMessage());
    assertTrue(e.getMessage().contains("test.yaml:7: transportService.delayNotificationTimeout"), e.getMessage());
  }

  @Test
  void aPerDomainLimitAboveTheTotalIsRefusedAsExchangeDoes() {
    OrganizationException e = assertThrows(OrganizationException.class, () -> OrganizationLoader.parse(BASE
        + "transportService:\n  maxOutboundConnections: 10\n  maxPerDomainOutboundConnections: 20\n",
        "test.yaml"));
    assertEquals(List.of("transportService.maxPerDomainOutboundConnections: maxPerDomainOutboundConnections (20) "
        + "must not exceed maxOutboundConnections (10)"), e.errors());
    assertTrue(e.getMessage().contains("test.yaml:5: "), e.getMessage());
  }

  @Test
  void aFileSizeAboveTheDirectorySizeIsRefusedAsExchangeDoes() {
    OrganizationException e = assertThrows(OrganizationException.class, () -> OrganizationLoader.parse(BASE
        + "transportService:\n  receiveProtocolLogMaxFileSize: 20MB\n  receiveProtocolLogMaxDirectorySize: 10MB\n",
        "test.yaml"));
    assertEquals(List.of("transportService.receiveProtocolLogMaxFileSize: receiveProtocolLogMaxFileSize (20971520 "
        + "bytes) must not exceed receiveProtocolLogMaxDirectorySize (10485760 bytes)"), e.errors());
    assertTrue(e.getMessage().contains("test.yaml:4: "), e.getMessage());
  }

  @Test
  void aLogPathThatIsAFileIsRefused() throws Exception {
    Path file = Files.writeString(tmp.resolve("not-a-dir"), "x");
    OrganizationException e = assertThrows(OrganizationException.class, () -> OrganizationLoader.parse(BASE
        + "transportService: {receiveProtocolLogPath: '" + file + "'}\n", "test.yaml"));
    assertEquals(List.of("transportService.receiveProtocolLogPath: " + file + " exists and is not a directory"),
        e.errors());
  }

  @Test
  void recordRefusesSizesBelowOneAndNegativeAges() {
    assertThrows(IllegalArgumentException.class, () -> new TransportService(null, 0, 1, Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> new TransportService(null, 1, 1, Duration.ofSeconds(-1)));
  }

  @Test
  void retryScheduleAndExpirationDefaultToExchanges() throws Exception {
    TransportService service = OrganizationLoader.parse(BASE, "test.yaml").transportService();
    assertEquals(6, service.transientFailureRetryAttempts());
    assertEquals(Duration.ofMinutes(5), service.transientFailureRetryInterval());
    assertEquals(Duration.ofMinutes(10), service.outboundConnectionFailureRetryInterval());
    assertEquals(Duration.ofMinutes(15), service.messageRetryInterval());
    assertEquals(Duration.ofDays(2), service.messageExpirationTimeout());
    assertEquals(service, TransportService.defaults());
  }

  @Test
  void retryScheduleAndExpirationAreReadInExchangesNotations() throws Exception {
    TransportService service = OrganizationLoader.parse(BASE + "transportService:\n"
        + "  transientFailureRetryAttempts: 0\n"
        + "  transientFailureRetryInterval: 00:00:30\n"
        + "  outboundConnectionFailureRetryInterval: 20m\n"
        + "  messageRetryInterval: 00:05:00\n"
        + "  messageExpirationTimeout: 1.12:00:00\n", "test.yaml").transportService();
    assertEquals(0, service.transientFailureRetryAttempts());
    assertEquals(Duration.ofSeconds(30), service.transientFailureRetryInterval());
    assertEquals(Duration.ofMinutes(20), service.outboundConnectionFailureRetryInterval());
    assertEquals(Duration.ofMinutes(5), service.messageRetryInterval());
    assertEquals(Duration.ofHours(36), service.messageExpirationTimeout());
    assertEquals(15, OrganizationLoader.parse(BASE + "transportService: {transientFailureRetryAttempts: 15, "
        + "messageExpirationTimeout: 90.00:00:00}\n", "test.yaml").transportService().transientFailureRetryAttempts());
  }

  @Test
  void poisonThresholdDefaultsToExchangesTwoAndIsBounded() throws Exception {
    assertEquals(2, OrganizationLoader.parse(BASE, "test.yaml").transportService().poisonThreshold());
    assertEquals(3, OrganizationLoader.parse(BASE + "transportService: {poisonThreshold: 3}\n", "test.yaml")
        .transportService().poisonThreshold());
    OrganizationException e = assertThrows(OrganizationException.class, () -> OrganizationLoader.parse(BASE
        + "transportService:\n  poisonThreshold: 0\n", "test.yaml"));
    assertEquals(List.of("transportService.poisonThreshold: 0 out of range (1-10)"), e.errors());
    assertTrue(e.getMessage().contains("test.yaml:4: transportService.poisonThreshold"), e.getMessage());
  }

  @Test
  void retryValuesOutsideExchangesRangesAreRefusedNamingFileLineAndKey() {
    OrganizationException e = assertThrows(OrganizationException.class, () -> OrganizationLoader.parse(BASE
        + "transportService:\n"
        + "  transientFailureRetryAttempts: 16\n"
        + "  transientFailureRetryInterval: 12:00:01\n"
        + "  outboundConnectionFailureRetryInterval: 0\n"
        + "  messageRetryInterval: 1.00:00:01\n"
        + "  messageExpirationTimeout: 4s\n", "test.yaml"));
    assertEquals(List.of(
        "transportService.transientFailureRetryAttempts: 16 out of range (0-15)",
        "transportService.transientFailureRetryInterval: 12:00:01 (43201 seconds) out of range (1-43200)",
        "transportService.outboundConnectionFailureRetryInterval: 0 out of range (1-1728000)",
        "transportService.messageRetryInterval: 1.00:00:01 (86401 seconds) out of range (1-86400)",
        "transportService.messageExpirationTimeout: 4s (4 seconds) out of range (5-7776000)"), e.errors());
    assertTrue(e.getMessage().contains("test.yaml:4: transportService.transientFailureRetryAttempts"), e.getMessage());
    assertTrue(e.getMessage().contains("test.yaml:8: transportService.messageExpirationTimeout"), e.getMessage());
    assertTrue(assertThrows(OrganizationException.class, () -> OrganizationLoader.parse(BASE
        + "transportService: {messageExpirationTimeout: 91.00:00:00}\n", "test.yaml")).errors().get(0)
        .startsWith("transportService.messageExpirationTimeout: "));
    assertTrue(assertThrows(OrganizationException.class, () -> OrganizationLoader.parse(BASE
        + "transportService: {transientFailureRetryAttempts: lots}\n", "test.yaml")).errors().get(0)
        .startsWith("transportService.transientFailureRetryAttempts: "));
  }

  @Test
  void aRetryIntervalNotShorterThanTheExpirationIsRefusedAtItsLine() {
    OrganizationException e = assertThrows(OrganizationException.class, () -> OrganizationLoader.parse(BASE
        + "transportService:\n"
        + "  messageExpirationTimeout: 02:00:00\n"
        + "  messageRetryInterval: 02:00:00\n"
        + "  outboundConnectionFailureRetryInterval: 00:30:00\n", "test.yaml"));
    assertEquals(List.of("transportService.messageRetryInterval: messageRetryInterval (02:00:00) must be shorter "
        + "than messageExpirationTimeout (02:00:00): the message would expire before it is retried"), e.errors());
    assertTrue(e.getMessage().contains("test.yaml:5: transportService.messageRetryInterval"), e.getMessage());
  }

  @Test
  void anExpirationBelowADefaultIntervalIsRefusedAtTheExpirationsLine() {
    OrganizationException e = assertThrows(OrganizationException.class, () -> OrganizationLoader.parse(BASE
        + "transportService:\n"
        + "  messageExpirationTimeout: 00:08:00\n"
        + "  messageRetryInterval: 00:01:00\n", "test.yaml"));
    assertEquals(List.of("transportService.messageExpirationTimeout: outboundConnectionFailureRetryInterval "
        + "(00:10:00, the default) must be shorter than messageExpirationTimeout (00:08:00): the message would "
        + "expire before it is retried"), e.errors());
    assertTrue(e.getMessage().contains("test.yaml:4: transportService.messageExpirationTimeout"), e.getMessage());
  }

  @Test
  void recordRefusesNegativeAttemptsAndNonPositiveRetryIntervals() {
    TransportService d = TransportService.defaults();
    assertTrue(assertThrows(IllegalArgumentException.class, () -> d.withRetry(-1, Duration.ofMinutes(5),
        Duration.ofMinutes(10), Duration.ofMinutes(15), Duration.ofDays(2))).getMessage()
        .contains("transientFailureRetryAttempts"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> d.withRetry(6, Duration.ofMinutes(5),
        Duration.ofMinutes(10), Duration.ofMinutes(15), Duration.ZERO)).getMessage()
        .contains("messageExpirationTimeout"));
  }

  @Test
  void trackingSendLogAndEventStreamsDefaultToExchanges() throws Exception {
    TransportService service = OrganizationLoader.parse(BASE, "test.yaml").transportService();
    MessageTrackingLogSettings tracking = service.messageTracking();
    assertTrue(tracking.enabled());
    assertEquals(Duration.ofDays(30), tracking.maxAge());
    assertEquals(1000L * 1024 * 1024, tracking.maxDirectorySize());
    assertEquals(10L * 1024 * 1024, tracking.maxFileSize());
    assertTrue(tracking.subjectLoggingEnabled());
    assertEquals(Path.of("data", "logs", "MessageTracking"), tracking.directory(Path.of("data")));
    SendProtocolLogSettings send = service.sendProtocolLog();
    assertEquals(Duration.ofDays(30), send.maxAge());
    assertEquals(250L * 1024 * 1024, send.maxDirectorySize());
    assertEquals(10L * 1024 * 1024, send.maxFileSize());
    assertEquals(Path.of("data", "logs", "ProtocolLog", "SmtpSend"), send.directory(Path.of("data")));
    assertEquals(ReceiveConnector.ProtocolLoggingLevel.None, send.intraOrgConnectorProtocolLoggingLevel(),
        "Exchange's IntraOrgConnectorProtocolLoggingLevel default");
    assertEquals(EventStreamSettings.EventFormat.Json, service.eventStreams().trackingEventFormat());
    assertEquals(EventStreamSettings.EventFormat.Json, service.eventStreams().protocolEventFormat());
    assertTrue(service.flushToDiskBeforeAcknowledge(), "durable by default, as Postfix");
    assertEquals(16 * 1024, service.inlineBodyLimit(), "bodies past 16 KB travel by reference");
    assertEquals(service, TransportService.defaults(), "the file's defaults are the record's");
  }

  @Test
  void trackingSendLogAndEventStreamsAreRead() throws Exception {
    TransportService service = OrganizationLoader.parse(BASE + "transportService:\n"
        + "  messageTrackingLogEnabled: false\n"
        + "  messageTrackingLogPath: logs/trk\n"
        + "  messageTrackingLogMaxAge: 7.00:00:00\n"
        + "  messageTrackingLogMaxDirectorySize: 2GB\n"
        + "  messageTrackingLogMaxFileSize: 1MB\n"
        + "  messageTrackingLogSubjectLoggingEnabled: false\n"
        + "  sendProtocolLogPath: /var/log/send\n"
        + "  sendProtocolLogMaxAge: 0\n"
        + "  sendProtocolLogMaxDirectorySize: unlimited\n"
        + "  sendProtocolLogMaxFileSize: 512KB\n"
        + "  intraOrgConnectorProtocolLoggingLevel: Verbose\n"
        + "  trackingEventFormat: Both\n"
        + "  protocolEventFormat: Avro\n"
        + "  flushToDiskBeforeAcknowledge: false\n", "test.yaml").transportService();
    assertFalse(service.flushToDiskBeforeAcknowledge());
    assertEquals(new MessageTrackingLogSettings(false, Path.of("logs/trk"), Duration.ofDays(7), 2L * 1024 * 1024 * 1024,
        1024 * 1024, false), service.messageTracking());
    assertEquals(Path.of("data", "logs", "trk"), service.messageTracking().directory(Path.of("data")));
    assertEquals(new SendProtocolLogSettings(Path.of("/var/log/send"), Duration.ZERO, Long.MAX_VALUE, 512 * 1024,
        ReceiveConnector.ProtocolLoggingLevel.Verbose), service.sendProtocolLog());
    assertTrue(service.sendProtocolLog().intraOrgConnectorLogged());
    assertEquals(Path.of("/var/log/send"), service.sendProtocolLog().directory(Path.of("data")));
    assertEquals(new EventStreamSettings(EventStreamSettings.EventFormat.Both, EventStreamSettings.EventFormat.Avro),
        service.eventStreams());
  }

  @Test
  void badTrackingSendLogAndEventStreamValuesAreRefusedNamingTheKey() {
    OrganizationException e = assertThrows(OrganizationException.class, () -> OrganizationLoader.parse(BASE
        + "transportService:\n"
        + "  messageTrackingLogEnabled: sometimes\n"
        + "  messageTrackingLogPath: ''\n"
        + "  messageTrackingLogMaxFileSize: 0\n"
        + "  sendProtocolLogMaxAge: forever\n"
        + "  trackingEventFormat: Xml\n"
        + "  intraOrgConnectorProtocolLoggingLevel: Low\n", "test.yaml"));
    assertEquals(6, e.errors().size(), e.errors().toString());
    assertTrue(e.errors().get(5).startsWith("transportService.intraOrgConnectorProtocolLoggingLevel:")
        && e.errors().get(5).contains("Low") && e.errors().get(5).contains("Verbose"), e.errors().get(5));
    assertEquals("transportService.messageTrackingLogEnabled: expected true or false, got 'sometimes'",
        e.errors().get(0));
    assertEquals("transportService.messageTrackingLogPath: empty path; leave the key out for the default "
        + "(<data-dir>/logs/MessageTracking)", e.errors().get(1));
    assertTrue(e.errors().get(2).startsWith("transportService.messageTrackingLogMaxFileSize: 0 out of range"),
        e.errors().get(2));
    assertTrue(e.errors().get(3).startsWith("transportService.sendProtocolLogMaxAge: expected a duration"),
        e.errors().get(3));
    assertTrue(e.errors().get(4).startsWith("transportService.trackingEventFormat:")
        && e.errors().get(4).contains("Xml") && e.errors().get(4).contains("Json"), e.errors().get(4));
  }

  @Test
  void inlineBodyLimitIsReadAsASizeAndKeptWithinItsRange() throws Exception {
    assertEquals(512 * 1024, OrganizationLoader.parse(BASE + "transportService:\n  inlineBodyLimit: 512KB\n",
        "test.yaml").transportService().inlineBodyLimit());
    assertEquals(64 * 1024, TransportService.defaults().withInlineBodyLimit(64 * 1024).inlineBodyLimit());
    OrganizationException e = assertThrows(OrganizationException.class, () -> OrganizationLoader.parse(BASE
        + "transportService:\n  inlineBodyLimit: 100\n", "test.yaml"));
    assertEquals(1, e.errors().size(), e.errors().toString());
    assertTrue(e.errors().get(0).startsWith("transportService.inlineBodyLimit: 100")
        && e.errors().get(0).contains("out of range (1024-33554432)"), e.errors().get(0));
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
        () -> TransportService.defaults().withInlineBodyLimit(0));
    assertTrue(bad.getMessage().contains("inlineBodyLimit must be 1024 to 33554432 bytes, got 0"), bad.getMessage());
  }
}
