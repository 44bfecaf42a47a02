package io.mailflow.edge.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.smtp.SmtpReply;
import java.util.List;
import org.junit.jupiter.api.Test;

class GreetingAndHeloTest {

  @Test
  void greetingNamesServerAndMailflowWithDate() {
    SessionProbe probe = SessionProbe.create();
    probe.session.start();
    assertEquals("220 mx.contoso.com mailflow ESMTP MAIL Service ready at Thu, 2 Jan 2025 03:04:05 +0000",
        probe.lastText());
  }

  @Test
  void configuredBannerReplacesGreetingText() {
    SessionProbe probe = SessionProbe.create(SessionProbe.CONFIG.withBanner("220 Contoso mail"));
    probe.session.start();
    assertEquals("220 Contoso mail", probe.lastText());
  }

  @Test
  void deniedConnectSendsRefusalInsteadOfGreetingAndCloses() {
    SessionProbe probe = SessionProbe.create();
    probe.onConnect = HookResult.denySoft(SmtpReply.of(421, "4.3.2", "Service not available"));
    probe.session.start();
    assertEquals(List.of(421), probe.codes());
    assertTrue(probe.closed);
  }

  @Test
  void ehloAdvertisesExtensionsInExchangeOrder() {
    SessionProbe probe = SessionProbe.started().send("EHLO client.example\r\n");
    assertEquals(String.join("\n",
        "250-mx.contoso.com Hello [192.0.2.7]",
        "250-SIZE 37748736",
        "250-PIPELINING",
        "250-DSN",
        "250-ENHANCEDSTATUSCODES",
        "250-8BITMIME",
        "250-BINARYMIME",
        "250-CHUNKING",
        "250 SMTPUTF8"), probe.lastText());
    assertEquals("client.example", probe.session.info().heloName());
    assertTrue(probe.session.info().esmtp());
  }

  @Test
  void ehloAdvertisesStartTlsOnlyWhenOffered() {
    SessionProbe probe = SessionProbe.started(SessionProbe.CONFIG.withStartTls(true)).send("EHLO c.example\r\n");
    assertTrue(probe.last().lines().contains("STARTTLS"));
  }

  @Test
  void ehloAdvertisesConfiguredMaximumSize() {
    SessionProbe probe = SessionProbe.started(SessionProbe.CONFIG.withMaxMessageSize(1000)).send("EHLO c\r\n");
    assertTrue(probe.last().lines().contains("SIZE 1000"));
  }

  @Test
  void heloAnswersOneLineWithoutExtensions() {
    SessionProbe probe = SessionProbe.started().send("HELO client.example\r\n");
    assertEquals("250 mx.contoso.com Hello [192.0.2.7]", probe.lastText());
    assertFalse(probe.session.info().esmtp());
  }

  @Test
  void ehloAcceptsAddressLiteral() {
    SessionProbe probe = SessionProbe.started().send("EHLO [192.0.2.7]\r\n");
    assertEquals(250, probe.last().code());
  }

  @Test
  void ehloWithoutNameIsInvalidDomain() {
    SessionProbe probe = SessionProbe.started().send("EHLO\r\n");
    assertEquals("501 5.5.4 Invalid domain name", probe.lastText());
  }

  @Test
  void ehloWithBadCharactersIsInvalidDomain() {
    SessionProbe probe = SessionProbe.started().send("EHLO bad(name)\r\n");
    assertEquals("501 5.5.4 Invalid domain name", probe.lastText());
  }

  @Test
  void verbsAreCaseInsensitive() {
    SessionProbe probe = SessionProbe.started().send("ehlo client\r\nmail from:<a@b.example>\r\n");
    assertEquals(List.of(250, 250), probe.codes());
  }

  @Test
  void secondEhloAbandonsTransaction() {
    SessionProbe probe = SessionProbe.inTransaction().send("EHLO again\r\nDATA\r\n");
    assertEquals("503 5.5.2 Need mail command", probe.lastText());
  }

  @Test
  void heloHookCanRefuseNameAndSessionStaysUngreeted() {
    SessionProbe probe = SessionProbe.started();
    probe.onHelo = name -> HookResult.deny(SmtpReply.of(550, "5.7.1", "Go away"));
    probe.send("EHLO spammer.example\r\nMAIL FROM:<a@b.example>\r\n");
    assertEquals(List.of(550, 503), probe.codes());
    assertEquals("503 5.5.2 Send hello first", probe.lastText());
  }
}
