package io.mailflow.edge.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StartTlsTest {

  private static final SmtpConfig TLS = SessionProbe.CONFIG.withStartTls(true);

  @Test
  void startTlsAnswers220AndAsksAdapterForHandshake() {
    SessionProbe probe = SessionProbe.greeted(TLS).send("STARTTLS\r\n");
    assertEquals("220 2.0.0 SMTP server ready", probe.lastText());
    assertTrue(probe.tlsRequested);
  }

  @Test
  void inputPipelinedAfterStartTlsIsDiscarded() {
    SessionProbe probe = SessionProbe.greeted(TLS)
        .send("STARTTLS\r\nMAIL FROM:<injected@evil.example>\r\n");
    probe.send("RCPT TO:<x@contoso.com>\r\n"); // still before the handshake
    probe.session.tlsStarted();
    probe.send("EHLO c\r\nRCPT TO:<x@contoso.com>\r\n");
    assertEquals(List.of(220, 250, 503), probe.codes());
    assertEquals(List.of("STARTTLS", "EHLO c", "RCPT TO:<x@contoso.com>"), probe.commands);
  }

  @Test
  void afterHandshakeClientMustGreetAgainAndSessionIsTls() {
    SessionProbe probe = SessionProbe.greeted(TLS).send("STARTTLS\r\n");
    probe.session.tlsStarted();
    assertNull(probe.session.info().heloName());
    assertTrue(probe.session.info().tls());
    probe.send("MAIL FROM:<a@b.example>\r\nEHLO c\r\n");
    assertEquals("503 5.5.2 Send hello first", probe.texts().get(1));
    assertFalse(probe.last().lines().contains("STARTTLS"), "no STARTTLS offered inside TLS");
  }

  @Test
  void startTlsTwiceIsOutOfSequence() {
    SessionProbe probe = SessionProbe.greeted(TLS).send("STARTTLS\r\n");
    probe.session.tlsStarted();
    probe.send("EHLO c\r\nSTARTTLS\r\n");
    assertEquals("503 5.5.1 Bad sequence of commands", probe.lastText());
  }

  @Test
  void startTlsNotOfferedIsUnrecognized() {
    SessionProbe probe = SessionProbe.greeted().send("STARTTLS\r\n");
    assertEquals("500 5.3.3 Unrecognized command 'STARTTLS'", probe.lastText());
    assertFalse(probe.tlsRequested);
  }

  @Test
  void tlsStartedWithoutStartTlsIsAnError() {
    SessionProbe probe = SessionProbe.greeted();
    assertThrows(IllegalStateException.class, probe.session::tlsStarted);
  }
}
