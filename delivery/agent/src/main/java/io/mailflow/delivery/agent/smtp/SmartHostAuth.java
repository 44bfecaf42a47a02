package io.mailflow.delivery.agent.smtp;

import java.util.Objects;

/**
 * SmartHostAuth - AUTH to a smart host (Exchange's SmartHostAuthMechanism and AuthenticationCredential).
 * The client uses AUTH PLAIN when the server offers it, else LOGIN. A refusal (535 ...) fails the host
 * like a refused hello: transient, the next smart host is tried and the queue goes to Retry, as Exchange
 * shows it (451 4.4.0 Primary target IP address responded with: "535 5.7.3 Authentication unsuccessful").
 * The password never appears in {@link #toString()}, replies or logs.
 *
 * @param mechanism NONE, BASIC_AUTH or BASIC_AUTH_REQUIRE_TLS (AUTH only inside TLS)
 */
public record SmartHostAuth(Mechanism mechanism, String username, String password) {

  /** Exchange's SmartHostAuthMechanism values the client supports. */
  public enum Mechanism { NONE, BASIC_AUTH, BASIC_AUTH_REQUIRE_TLS }

  public static final SmartHostAuth NONE = new SmartHostAuth(Mechanism.NONE, null, null);

  public SmartHostAuth {
    Objects.requireNonNull(mechanism, "mechanism");
    if (mechanism != Mechanism.NONE && (username == null || username.isEmpty() || password == null)) {
      throw new IllegalArgumentException(mechanism + " needs a username and a password");
    }
  }

  public static SmartHostAuth basic(String username, String password, boolean requireTls) {
    return new SmartHostAuth(requireTls ? Mechanism.BASIC_AUTH_REQUIRE_TLS : Mechanism.BASIC_AUTH, username, password);
  }

  @Override
  public String toString() {
    return mechanism == Mechanism.NONE ? "None" : mechanism + "(" + username + ", password hidden)";
  }
}
