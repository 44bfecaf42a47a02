package io.mailflow.admin;

import io.mailflow.organization.Administrator;
import io.mailflow.organization.PasswordHash;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * AdministratorLogin - who is asking, and may they: HTTP Basic against the organization's {@code administrators},
 * or a bearer {@link ApiToken} against the named administrator's {@code tokenHashes} (PBKDF2 hashes, checked on a
 * worker thread, never on the event loop), failures throttled per client address
 * ({@link LoginThrottle}), then the role: {@code ViewOnlyOrganizationManagement} reads,
 * {@code OrganizationManagement} reads and acts. No credentials → 401 with {@code WWW-Authenticate}; wrong
 * name or password → 401; throttled → 429 with {@code Retry-After}; role too small → 403. Each with a JSON body.
 */
final class AdministratorLogin {
  static final String CHALLENGE = "Basic realm=\"mailflow admin\", charset=\"UTF-8\"";
  static final String BEARER_CHALLENGE = "Bearer realm=\"mailflow admin\"";
  /** Where the logged-in administrator is kept in the routing context. */
  static final String ADMINISTRATOR = "mailflow.administrator";

  private final Vertx vertx;
  private final Map<String, Administrator> administrators = new HashMap<>();
  private final Map<String, PasswordHash> hashes = new HashMap<>();
  private final Map<String, List<PasswordHash>> tokenHashes = new HashMap<>();
  private final LoginThrottle throttle;
  /** Checked for unknown names too, so a wrong name costs as long as a wrong password (no name probing). */
  private final PasswordHash decoy;
  private final PasswordHash tokenDecoy;

  AdministratorLogin(Vertx vertx, List<Administrator> administrators, LoginThrottle throttle) {
    this.vertx = vertx;
    this.throttle = throttle;
    for (Administrator a : administrators) {
      this.administrators.put(a.name(), a);
      hashes.put(a.name(), PasswordHash.parse(a.passwordHash()));
      tokenHashes.put(a.name(), a.tokenHashes().stream().map(PasswordHash::parse).toList());
    }
    int iterations = hashes.values().stream().mapToInt(PasswordHash::iterations).max()
        .orElse(PasswordHash.MIN_ITERATIONS);
    this.decoy = PasswordHash.create("decoy".toCharArray(), iterations);
    this.tokenDecoy = PasswordHash.create("decoy".toCharArray(), ApiToken.ITERATIONS);
  }

  /** A handler that lets the request on only for an administrator whose role may {@code act} (or read). */
  Handler<RoutingContext> require(boolean act) {
    return ctx -> {
      String address = ctx.request().remoteAddress() == null ? "unknown" : ctx.request().remoteAddress().hostAddress();
      Duration wait = throttle.wait(address);
      if (!wait.isZero()) {
        long seconds = Math.max(1, wait.toSeconds() + (wait.toMillisPart() > 0 ? 1 : 0));
        ctx.response().putHeader("Retry-After", Long.toString(seconds));
        AdminServer.error(ctx, 429, "too_many_failed_logins",
            "too many failed logins from " + address + "; try again in " + seconds + " s");
        return;
      }
      String header = ctx.request().getHeader("Authorization");
      if (header == null || header.isBlank()) {
        challenge(ctx, "credentials required: HTTP Basic with an administrator's name and password, or a Bearer token");
        return;
      }
      String[] credentials = header.strip().regionMatches(true, 0, "Bearer ", 0, 7) ? bearer(header) : basic(header);
      if (credentials == null) {
        throttle.failed(address);
        challenge(ctx, "malformed Authorization header: expected Basic base64(name:password) or Bearer mailflow.<name>.<secret>");
        return;
      }
      String name = credentials[0];
      char[] secret = credentials[1].toCharArray();
      boolean token = credentials.length == 3;
      vertx.executeBlocking(() -> {
        try {
          return token ? tokenMatches(name, secret) : passwordMatches(name, secret);
        } finally {
          Arrays.fill(secret, '\0');
        }
      }, false).onComplete(result -> {
        if (result.failed() || !result.result()) {
          throttle.failed(address);
          challenge(ctx, token ? "unknown or revoked token" : "wrong administrator name or password");
          return;
        }
        throttle.succeeded(address);
        Administrator administrator = administrators.get(name);
        if (act && !administrator.role().mayAct()) {
          AdminServer.error(ctx, 403, "forbidden", "administrator " + name + " has role " + administrator.role()
              + ", which may only read; this needs OrganizationManagement");
          return;
        }
        ctx.put(ADMINISTRATOR, administrator);
        ctx.next();
      });
    };
  }

  /** Runs on a worker: PBKDF2 of the password (an unknown name against the decoy, for the same cost). */
  private boolean passwordMatches(String name, char[] password) {
    PasswordHash hash = hashes.get(name);
    boolean matches = (hash == null ? decoy : hash).matches(password);
    return hash != null && matches;
  }

  /** Runs on a worker: the token against each of its administrator's token hashes. */
  private boolean tokenMatches(String name, char[] token) {
    List<PasswordHash> candidates = tokenHashes.getOrDefault(name, List.of());
    if (candidates.isEmpty()) {
      tokenDecoy.matches(token);
      return false;
    }
    boolean any = false;
    for (PasswordHash candidate : candidates) {
      any |= candidate.matches(token);
    }
    return any;
  }

  private static void challenge(RoutingContext ctx, String message) {
    ctx.response().headers().add("WWW-Authenticate", CHALLENGE).add("WWW-Authenticate", BEARER_CHALLENGE);
    AdminServer.error(ctx, 401, "unauthorized", message);
  }

  /** {administrator, token, "bearer"} from a Bearer header, or null when the token is not mailflow's form. */
  static String[] bearer(String header) {
    String token = header.strip().substring(7).strip();
    return ApiToken.administratorOf(token).map(name -> new String[] {name, token, "bearer"}).orElse(null);
  }

  /** {name, password} from a Basic header, or null when it is not one (bad base64, not UTF-8, no colon). */
  static String[] basic(String header) {
    String h = header.strip();
    if (h.length() < 6 || !h.regionMatches(true, 0, "Basic ", 0, 6)) {
      return null;
    }
    byte[] decoded;
    try {
      decoded = Base64.getDecoder().decode(h.substring(6).strip());
    } catch (IllegalArgumentException e) {
      return null;
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(decoded)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
    int colon = text.indexOf(':');
    if (colon <= 0) {
      return null;
    }
    return new String[] {text.substring(0, colon), text.substring(colon + 1)};
  }

}
