package io.mailflow.delivery.agent.smtp;

import io.mailflow.delivery.core.ConnectionFailure;
import io.mailflow.delivery.core.ConnectionFailure.Kind;
import io.mailflow.smtp.EhloCapabilities;
import io.mailflow.smtp.SmtpReply;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * SmtpSession - the client side of one SMTP (or LMTP) connection, phase by phase: greeting, hello,
 * STARTTLS and a second EHLO ({@link TlsPolicy}), AUTH ({@link SmartHostAuth}), then one
 * {@link MailTransaction} after another, RSET between them, and QUIT.
 *
 * <p>All methods run on the connection's event loop.
 */
final class SmtpSession {

  private final SmtpConnection connection;
  private final SmtpClientOptions options;
  private final String host;
  private final boolean withoutTls;
  private EhloCapabilities capabilities = EhloCapabilities.none();
  private int transactions;
  private boolean tlsNegotiationFailed;
  long idleTimer = -1;

  /**
   * @param host the name or address connected to (the TLS server name unless a domain is validated)
   * @param withoutTls the plaintext retry after an opportunistic handshake failed: no STARTTLS
   */
  SmtpSession(SmtpConnection connection, SmtpClientOptions options, String host, boolean withoutTls) {
    this.connection = connection;
    this.options = options;
    this.host = host;
    this.withoutTls = withoutTls;
  }

  /** True when STARTTLS was answered 220 but the handshake failed: opportunistic TLS retries in plaintext. */
  boolean tlsNegotiationFailed() {
    return tlsNegotiationFailed;
  }

  /** True once TLS is on. */
  boolean encrypted() {
    return connection.encrypted();
  }

  String endpoint() {
    return connection.endpoint();
  }

  EhloCapabilities capabilities() {
    return capabilities;
  }

  /** Transactions this connection has carried. */
  int transactions() {
    return transactions;
  }

  /** True while the connection can take another transaction. */
  boolean usable() {
    return connection.usable();
  }

  /**
   * Greeting and hello. Fails with {@link SessionFailedException} when the host refuses us (a 4xx/5xx
   * greeting, a refused EHLO and HELO) or the connection breaks: a failure of the host, worth trying
   * the next one.
   */
  Future<Void> open() {
    return greet().compose(v -> hello()).compose(v -> secure());
  }

  /** Runs one transaction for {@code message}. */
  MailTransaction transaction(OutboundMessage message) {
    transactions++;
    return new MailTransaction(connection, options, capabilities, message, transactions);
  }

  /** RSET after a transaction; true when the server answered 250, i.e. the connection is fit for the next one. */
  Future<Boolean> reset() {
    return connection.command("RSET", "RSET")
        .map(reply -> reply.isPositive() && connection.usable())
        .recover(e -> Future.succeededFuture(false));
  }

  /** Says QUIT (politely after a refusal; just a close after a drop or timeout); never fails. */
  Future<Void> quit() {
    return connection.quit();
  }

  private Future<Void> greet() {
    return connection.readReply("greeting").compose(greeting -> greeting.isPositive()
        ? Future.succeededFuture()
        : refused("greeting", greeting));
  }

  // EHLO first; a 5xx means "I do not speak ESMTP", so HELO. A 4xx (or a refused HELO) means this
  // host will not take mail from us now: a failure of the host, worth trying the next one.
  private Future<Void> hello() {
    String name = options.getHeloName();
    if (options.isLmtp()) { // RFC 2033: LHLO, and no HELO to fall back to
      return ehlo("LHLO");
    }
    return connection.command("EHLO " + name, "EHLO").compose(ehlo -> {
      if (ehlo.isPositive()) {
        capabilities = EhloCapabilities.parse(ehlo);
        return Future.succeededFuture();
      }
      if (!ehlo.isPermanentNegative()) {
        return refused("EHLO", ehlo);
      }
      return connection.command("HELO " + name, "HELO").compose(helo -> helo.isPositive()
          ? Future.succeededFuture()
          : refused("HELO", helo));
    });
  }

  private Future<Void> ehlo(String verb) {
    return connection.command(verb + " " + options.getHeloName(), verb).compose(reply -> {
      if (!reply.isPositive()) {
        return refused(verb, reply);
      }
      capabilities = EhloCapabilities.parse(reply);
      return Future.succeededFuture();
    });
  }

  /** STARTTLS per the TLS policy, then AUTH per the auth setting (neither for LMTP). */
  private Future<Void> secure() {
    if (options.isLmtp()) {
      return Future.succeededFuture();
    }
    return startTls().compose(v -> authenticate());
  }

  // RFC 3207: STARTTLS, 220, handshake, then EHLO again (the capabilities before TLS are forgotten).
  private Future<Void> startTls() {
    TlsPolicy tls = options.getTls();
    if (withoutTls || !capabilities.startTls()) {
      return tls.required()
          ? failed("STARTTLS", "TLS is required by the send connector but " + connection.endpoint()
              + (withoutTls ? " failed TLS negotiation" : " does not offer STARTTLS"))
          : Future.succeededFuture();
    }
    return connection.command("STARTTLS", "STARTTLS").compose(reply -> {
      if (reply.code() != 220) {
        // a refusal of an offered STARTTLS: the connection is still plaintext and usable when not required
        return tls.required() ? refused("STARTTLS", reply) : Future.succeededFuture();
      }
      return connection.upgradeToTls(tls.sslOptions(), tls.serverName(host))
          .recover(e -> {
            tlsNegotiationFailed = true;
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return failed("TLS negotiation", "TLS negotiation failed (" + tlsLevel(tls) + "): " + why);
          })
          .compose(v -> tls.authLevel() == TlsPolicy.AuthLevel.DOMAIN_VALIDATION ? checkDomain(tls) : Future.succeededFuture())
          .compose(v -> ehlo("EHLO"));
    });
  }

  private Future<Void> checkDomain(TlsPolicy tls) {
    java.util.List<java.security.cert.Certificate> chain = connection.peerCertificates();
    String problem = chain.isEmpty() ? "the server sent no certificate" : tls.domainProblem(chain.get(0));
    return problem == null ? Future.succeededFuture()
        : failed("TLS negotiation", "TLS negotiation failed (" + tlsLevel(tls) + "): " + problem);
  }

  private static String tlsLevel(TlsPolicy tls) {
    return switch (tls.authLevel()) {
      case ENCRYPTION_ONLY -> "EncryptionOnly";
      case CERTIFICATE_VALIDATION -> "CertificateValidation";
      case DOMAIN_VALIDATION -> "DomainValidation of " + tls.domain();
    };
  }

  // AUTH PLAIN (RFC 4616) when offered, else LOGIN. A refusal fails the host: transient, next smart host.
  private Future<Void> authenticate() {
    SmartHostAuth auth = options.getAuth();
    if (auth.mechanism() == SmartHostAuth.Mechanism.NONE) {
      return Future.succeededFuture();
    }
    if (auth.mechanism() == SmartHostAuth.Mechanism.BASIC_AUTH_REQUIRE_TLS && !connection.encrypted()) {
      return failed("AUTH", "BasicAuthRequireTLS: " + connection.endpoint()
          + " did not negotiate TLS, so the credentials are not sent");
    }
    java.util.List<String> offered = capabilities.authMechanisms();
    if (offered.contains("PLAIN")) {
      String token = base64("\0" + auth.username() + "\0" + auth.password());
      return connection.credentials("AUTH PLAIN", token, "AUTH PLAIN").compose(this::authenticated);
    }
    if (offered.contains("LOGIN")) {
      return connection.command("AUTH LOGIN", "AUTH LOGIN")
          .compose(r -> r.code() == 334
              ? connection.credentials(null, base64(auth.username()), "AUTH LOGIN username") : refusedAuth(r))
          .compose(r -> r.code() == 334
              ? connection.credentials(null, base64(auth.password()), "AUTH LOGIN password") : refusedAuth(r))
          .compose(this::authenticated);
    }
    return failed("AUTH", "the send connector authenticates with BasicAuth but " + connection.endpoint()
        + " offers neither AUTH PLAIN nor AUTH LOGIN" + (offered.isEmpty() ? "" : " (offers " + String.join(" ", offered) + ")"));
  }

  private Future<Void> authenticated(SmtpReply reply) {
    return reply.code() == 235 ? Future.succeededFuture() : refused("AUTH", reply);
  }

  private <T> Future<T> refusedAuth(SmtpReply reply) {
    return refused("AUTH", reply);
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private <T> Future<T> failed(String phase, String why) {
    return Future.failedFuture(new SessionFailedException(
        new ConnectionFailure(Kind.SERVICE_REFUSED, connection.endpoint(), phase, why)));
  }

  private <T> Future<T> refused(String phase, SmtpReply reply) {
    return Future.failedFuture(new SessionFailedException(
        new ConnectionFailure(Kind.SERVICE_REFUSED, connection.endpoint(), phase, reply.toString())));
  }
}
