package io.mailflow.edge.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class AuthTest {
  private static final SmtpConfig AUTH = SessionProbe.CONFIG.withAuth(true, false)
      .withLogonFailures(3, Duration.ofMillis(250));
  private static final SmtpConfig AUTH_AFTER_TLS = SessionProbe.CONFIG.withStartTls(true).withAuth(true, true);

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static final String ALICE_PLAIN = b64("\0alice@contoso.com\0s3cret");

  @Test
  void ehloAdvertisesPlainAndLoginOnlyWhereOffered() {
    assertTrue(SessionProbe.started(AUTH).send("EHLO c\r\n").last().lines().contains("AUTH PLAIN LOGIN"));
    assertFalse(SessionProbe.started().send("EHLO c\r\n").last().lines().contains("AUTH PLAIN LOGIN"));
    assertFalse(SessionProbe.started(AUTH_AFTER_TLS).send("EHLO c\r\n").last().lines().contains("AUTH PLAIN LOGIN"),
        "BasicAuthRequireTLS: not before STARTTLS");
  }

  @Test
  void plainWithInitialResponseAuthenticatesTheSession() {
    SessionProbe probe = SessionProbe.greeted(AUTH).send("AUTH PLAIN " + ALICE_PLAIN + "\r\n");
    assertEquals("235 2.7.0 Authentication successful", probe.lastText());
    assertEquals("alice@contoso.com", probe.session.info().authenticatedAs());
    assertEquals(List.of("PLAIN alice@contoso.com s3cret"), probe.logons);
  }

  @Test
  void plainAfterEmptyChallengeAuthenticatesTheSession() {
    SessionProbe probe = SessionProbe.greeted(AUTH).send("AUTH PLAIN\r\n");
    assertEquals("334 ", probe.last().toWireLines().get(0));
    probe.send(ALICE_PLAIN + "\r\n");
    assertEquals("235 2.7.0 Authentication successful", probe.lastText());
  }

  @Test
  void loginAsksForUserNameThenPassword() {
    SessionProbe probe = SessionProbe.greeted(AUTH).send("AUTH LOGIN\r\n");
    assertEquals("334 VXNlcm5hbWU6", probe.lastText());
    probe.send(b64("alice@contoso.com") + "\r\n");
    assertEquals("334 UGFzc3dvcmQ6", probe.lastText());
    probe.send(b64("s3cret") + "\r\n");
    assertEquals("235 2.7.0 Authentication successful", probe.lastText());
    assertEquals(List.of("LOGIN alice@contoso.com s3cret"), probe.logons);
  }

  @Test
  void loginWithInitialUserNameAsksForThePasswordOnly() {
    SessionProbe probe = SessionProbe.greeted(AUTH).send("AUTH LOGIN " + b64("alice@contoso.com") + "\r\n");
    assertEquals("334 UGFzc3dvcmQ6", probe.lastText());
    probe.send(b64("s3cret") + "\r\n");
    assertEquals("235 2.7.0 Authentication successful", probe.lastText());
  }

  @Test
  void credentialsNeverReachTheProtocolLog() {
    SessionProbe probe = SessionProbe.greeted(AUTH).send("AUTH LOGIN\r\n" + b64("alice@contoso.com") + "\r\n"
        + b64("s3cret") + "\r\n");
    probe.send("RSET\r\n");
    SessionProbe plain = SessionProbe.greeted(AUTH).send("AUTH PLAIN " + ALICE_PLAIN + "\r\n");
    assertEquals(List.of("AUTH LOGIN", "****", "****", "RSET"), probe.commands);
    assertEquals(List.of("AUTH PLAIN ****"), plain.commands);
  }

  @Test
  void wrongPasswordIs535AndSessionStaysAnonymous() {
    SessionProbe probe = SessionProbe.greeted(AUTH).send("AUTH PLAIN " + b64("\0alice@contoso.com\0guess") + "\r\n");
    assertEquals("535 5.7.3 Authentication unsuccessful", probe.lastText());
    assertNull(probe.session.info().authenticatedAs());
    assertFalse(probe.closed);
  }

  @Test
  void afterMaxLogonFailuresTheLastReplyIsTarpittedThenTheSessionEnds() {
    String wrong = "AUTH PLAIN " + b64("\0alice@contoso.com\0guess") + "\r\n";
    SessionProbe probe = SessionProbe.greeted(AUTH).send(wrong + wrong + wrong + "NOOP\r\n");
    assertEquals(List.of(535, 535), probe.codes(), "the third failure waits in the tarpit");
    assertEquals(List.of(Duration.ofMillis(250)), probe.tarpits);
    assertFalse(probe.closed);
    probe.tarpitted.run();
    assertEquals(List.of(535, 535, 535), probe.codes());
    assertTrue(probe.closed, "dropped after the tarpit; the pipelined NOOP is never answered");
  }

  @Test
  void zeroMaxLogonFailuresNeverDropsTheSession() {
    String wrong = "AUTH PLAIN " + b64("\0alice@contoso.com\0guess") + "\r\n";
    SessionProbe probe = SessionProbe.greeted(AUTH.withLogonFailures(0, Duration.ZERO)).send(wrong.repeat(5));
    assertEquals(List.of(535, 535, 535, 535, 535), probe.codes());
    assertFalse(probe.closed);
  }

  @Test
  void authRequiringTlsIsRefusedBeforeTheHandshakeAndTakenAfter() {
    SessionProbe probe = SessionProbe.greeted(AUTH_AFTER_TLS).send("AUTH PLAIN " + ALICE_PLAIN + "\r\n");
    assertEquals("530 5.7.0 Must issue a STARTTLS command first", probe.lastText());
    assertEquals(List.of(), probe.logons);
    probe.send("STARTTLS\r\n");
    probe.session.tlsStarted();
    probe.send("EHLO c\r\n");
    assertTrue(probe.last().lines().contains("AUTH PLAIN LOGIN"));
    probe.send("AUTH PLAIN " + ALICE_PLAIN + "\r\n");
    assertEquals("235 2.7.0 Authentication successful", probe.lastText());
  }

  @Test
  void authIsRefusedOutOfSequence() {
    assertEquals("503 5.5.2 Send hello first",
        SessionProbe.started(AUTH).send("AUTH PLAIN " + ALICE_PLAIN + "\r\n").lastText());
    SessionProbe twice = SessionProbe.greeted(AUTH).send("AUTH PLAIN " + ALICE_PLAIN + "\r\nAUTH PLAIN " + ALICE_PLAIN + "\r\n");
    assertEquals("503 5.5.1 Already authenticated", twice.lastText());
    SessionProbe inMail = SessionProbe.inTransaction(AUTH).send("AUTH PLAIN " + ALICE_PLAIN + "\r\n");
    assertEquals("503 5.5.1 Bad sequence of commands", inMail.lastText());
  }

  @Test
  void unknownMechanismCancelAndBadBase64GetTheirReplies() {
    assertEquals("504 5.7.4 Unrecognized authentication type",
        SessionProbe.greeted(AUTH).send("AUTH CRAM-MD5\r\n").lastText());
    assertEquals("501 5.7.0 Authentication cancelled",
        SessionProbe.greeted(AUTH).send("AUTH LOGIN\r\n*\r\n").lastText());
    SessionProbe bad = SessionProbe.greeted(AUTH).send("AUTH PLAIN %%%\r\nNOOP\r\n");
    assertEquals(List.of("501 5.5.2 Cannot Base64-decode Client responses", "250 2.0.0 OK"), bad.texts());
  }

  @Test
  void notOfferedAuthIsAnUnrecognizedCommand() {
    assertEquals("500 5.3.3 Unrecognized command 'AUTH'",
        SessionProbe.greeted().send("AUTH PLAIN " + ALICE_PLAIN + "\r\n").lastText());
  }

  @Test
  void plainActingForAnotherIdentityFails() {
    SessionProbe probe = SessionProbe.greeted(AUTH).send("AUTH PLAIN " + b64("bob@contoso.com\0alice@contoso.com\0s3cret") + "\r\n");
    assertEquals("535 5.7.3 Authentication unsuccessful", probe.lastText());
    assertNull(probe.session.info().authenticatedAs());
  }

  @Test
  void pipelinedCommandsWaitForTheAsynchronousCheck() {
    SessionProbe probe = SessionProbe.greeted(AUTH);
    CompletableFuture<Optional<String>> answer = new CompletableFuture<>();
    probe.onAuth = logon -> answer;
    probe.send("AUTH PLAIN " + ALICE_PLAIN + "\r\nMAIL FROM:<alice@contoso.com>\r\n");
    assertEquals(List.of(), probe.codes());
    assertTrue(probe.session.isBusy());
    answer.complete(Optional.of("alice@contoso.com"));
    assertEquals(List.of(235, 250), probe.codes());
  }

  @Test
  void failingCheckIsATemporaryFailure() {
    SessionProbe probe = SessionProbe.greeted(AUTH);
    probe.onAuth = logon -> CompletableFuture.failedFuture(new IllegalStateException("directory down"));
    probe.send("AUTH PLAIN " + ALICE_PLAIN + "\r\n");
    assertEquals("454 4.7.0 Temporary authentication failure", probe.lastText());
  }

  @Test
  void tlsHandshakeForgetsAnEarlierAuthentication() {
    SmtpConfig config = SessionProbe.CONFIG.withStartTls(true).withAuth(true, false);
    SessionProbe probe = SessionProbe.greeted(config).send("AUTH PLAIN " + ALICE_PLAIN + "\r\nSTARTTLS\r\n");
    probe.session.tlsStarted();
    assertNull(probe.session.info().authenticatedAs(), "RFC 3207 4.2");
  }
}
