package io.mailflow.edge.server;

import static io.mailflow.edge.server.TlsAndAuthIT.plain;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.organization.Organization;
import io.mailflow.organization.ReceiveConnector;
import io.mailflow.organization.ReceiveConnector.AuthFailureLimits;
import io.mailflow.organization.ReceiveConnector.AuthMechanism;
import io.mailflow.organization.ReceiveConnector.PermissionGroup;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Failed AUTH counted across sessions (issue 11): each guess in a fresh session, as a brute-forcer that
 * reconnects would, from 127.0.0.1; the owner logs in from 127.0.0.2. Thresholds 2 (tarpit) and 4 (454),
 * a 3 s window, a 600 ms tarpit.
 */
class AuthThrottlingIT {
  static final String SUBMISSION = "Client Submission EX01";
  static final Duration TARPIT = Duration.ofMillis(600);
  static final Duration WINDOW = Duration.ofSeconds(3);
  static final String ATTACKER = "127.0.0.1";
  static final String OWNER = "127.0.0.2";
  static final String REFUSED = "454 4.7.0 Temporary authentication failure";
  static final String FAILED = "535 5.7.3 Authentication unsuccessful";
  static final String SUCCEEDED = "235 2.7.0 Authentication successful";

  @RegisterExtension static final EdgeRig rig = EdgeRig.inMemory();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private RecordingEvents events;
  private SmtpEdge edge;

  static Organization organization() {
    // AUTH in the clear keeps the test about counting, not TLS; maxLogonFailures 0: no session is dropped
    return TestOrganization.withPasswords(List.of(TestOrganization.secured(SUBMISSION,
        Set.of(PermissionGroup.ExchangeUsers), Set.of(AuthMechanism.BasicAuth), null, false, 0, TARPIT, List.of())
        .withAuthFailureLimits(new AuthFailureLimits(2, 4, WINDOW))));
  }

  @BeforeEach
  void start() throws Exception {
    events = new RecordingEvents();
    edge = rig.start(organization(), new RecordingPublisher(), events, EdgeOptions.defaults().withMeters(meters));
  }

  /** One AUTH PLAIN in a fresh session from {@code ip}: the reply and how long it took. */
  private Answer auth(String ip, String user, String password) throws IOException {
    try (SmtpTestClient client = rig.client(ip, edge, SUBMISSION)) {
      client.reply();
      client.command("EHLO client.example");
      long start = System.nanoTime();
      String reply = client.command("AUTH PLAIN " + plain(user, password));
      Answer answer = new Answer(reply, Duration.ofNanos(System.nanoTime() - start));
      System.out.println("AuthThrottlingIT: from " + ip + " as " + user + ": " + reply + " in "
          + answer.took().toMillis() + " ms");
      return answer;
    }
  }

  private record Answer(String reply, Duration took) {
    boolean held() {
      return took.compareTo(TARPIT.minusMillis(50)) >= 0;
    }
  }

  private double count(String name, String... tags) {
    return meters.find(name).tags(tags).counters().stream().mapToDouble(c -> c.count()).sum();
  }

  @Test
  void guessesInFreshSessionsAreSlowedThenRefusedWhileTheOwnerFromAnotherAddressGetsIn() throws Exception {
    for (int i = 1; i <= 2; i++) {
      Answer a = auth(ATTACKER, "alice@contoso.test", "guess-" + i);
      assertEquals(FAILED, a.reply());
      assertTrue(!a.held(), "failure " + i + " is within authFailureTarpitThreshold: not held, took " + a.took());
    }
    for (int i = 3; i <= 4; i++) {
      Answer a = auth(ATTACKER, "alice@contoso.test", "guess-" + i);
      assertEquals(FAILED, a.reply());
      assertTrue(a.held(), "failure " + i + " from the same address in a new session is tarpitted, took " + a.took());
    }
    // four failures: the address is refused, even with the right password (it is not even checked)
    assertEquals(REFUSED, auth(ATTACKER, "alice@contoso.test", TestOrganization.ALICE_PASSWORD).reply());
    assertEquals(REFUSED, auth(ATTACKER, "bob@contoso.test", TestOrganization.BOB_PASSWORD).reply(),
        "the address is refused whatever account it tries");

    // the owner, from a clean address, gets in at once: the account is slowed for failures only, never locked
    Answer owner = auth(OWNER, "alice@contoso.test", TestOrganization.ALICE_PASSWORD);
    assertEquals(SUCCEEDED, owner.reply());
    assertTrue(!owner.held(), "a right password is never held back, took " + owner.took());
    // a wrong one for the attacked account from that address is slowed (per account) but not refused (per address)
    Answer guess = auth(OWNER, "A.Smith@Contoso.test", "guess-5"); // another address of alice's mailbox
    assertEquals(FAILED, guess.reply());
    assertTrue(guess.held(), "the mailbox has had more than 2 failures: its failures are tarpitted, took "
        + guess.took());

    assertEquals(2, count("mailflow.edge.auth.throttled", "connector", SUBMISSION, "action", "refused"));
    assertEquals(3, count("mailflow.edge.auth.throttled", "connector", SUBMISSION, "action", "tarpit"));
    assertTrue(meters.get("mailflow.edge.auth.failures.tracked").tag("connector", SUBMISSION).gauge().value() >= 3,
        "127.0.0.1, 127.0.0.2 and alice@contoso.test are remembered");
    await().atMost(Duration.ofSeconds(5)).until(() -> logged("Inbound authentication refused: 4 or more failed logons "
        + "from 127.0.0.1 within 3 s (authFailureRefusalThreshold)"));
    assertTrue(logged("Tarpit for " + TARPIT.toMillis() + " ms"));
  }

  @Test
  void theRefusedAddressGetsInAgainOnceItCooledDown() throws Exception {
    for (int i = 1; i <= 4; i++) {
      assertEquals(FAILED, auth(ATTACKER, "bob@contoso.test", "guess-" + i).reply());
    }
    long refusedAt = System.nanoTime();
    assertEquals(REFUSED, auth(ATTACKER, "bob@contoso.test", TestOrganization.BOB_PASSWORD).reply());
    // the window counts from the last failure; refused attempts do not extend it
    await().atMost(WINDOW.plusSeconds(5)).pollInterval(Duration.ofMillis(500))
        .until(() -> auth(ATTACKER, "bob@contoso.test", TestOrganization.BOB_PASSWORD).reply().equals(SUCCEEDED));
    long cooled = Duration.ofNanos(System.nanoTime() - refusedAt).toMillis();
    assertTrue(cooled >= WINDOW.toMillis() - TARPIT.toMillis() - 500, "refused for the window, got in after " + cooled
        + " ms");
  }

  /** swaks, an independent client, AUTH PLAIN from {@code ip} and nothing after it: its transcript. */
  private String swaks(String ip, String user, String password) throws Exception {
    InetSocketAddress at = edge.listening(SUBMISSION).get(0);
    ClientProcess.Result r = ClientProcess.run(List.of("swaks", "--server", at.getHostString(), "--port",
        Integer.toString(at.getPort()), "--local-interface", ip, "--auth", "PLAIN", "--auth-user", user,
        "--auth-password", password, "--quit-after", "AUTH", "--ehlo", "client.example", "--to", user));
    return r.output();
  }

  @Test
  void swaksFromTheGuessingAddressIsRefusedAndFromAnotherGetsIn() throws Exception {
    ClientProcess.require("swaks");
    for (int i = 1; i <= 4; i++) {
      String guess = swaks(ATTACKER, "alice@contoso.test", "guess-" + i);
      assertTrue(guess.contains("<** 535 5.7.3 Authentication unsuccessful"), guess);
    }
    String refused = swaks(ATTACKER, "alice@contoso.test", TestOrganization.ALICE_PASSWORD);
    assertTrue(refused.contains("<** 454 4.7.0 Temporary authentication failure"), refused);
    String owner = swaks(OWNER, "alice@contoso.test", TestOrganization.ALICE_PASSWORD);
    assertTrue(owner.contains("<~  235 2.7.0 Authentication successful") || owner.contains("<-  235 2.7.0"), owner);
  }

  private boolean logged(String text) {
    return events.protocol.stream().anyMatch(p -> (p.getContext() != null && p.getContext().startsWith(text))
        || (p.getContext() != null && p.getContext().equals(text)));
  }
}
