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
 * AdministratorLogin - who is asking, and may they: HTTP Basic against the organization's {@code administrators}
 * (PBKDF2 hashes, checked on a worker thread, never on the event loop), failures throttled per client address
 * ({@link LoginThrottle}), then the role: {@code ViewOnlyOrganizationManagement} reads,
 * {@code OrganizationManagement} reads and acts. No credentials → 401 with {@code WWW-Authenticate}; wrong
 * name or password → 401; throttled → 429 with {@code Retry-After}; role too small → 403. Each with a JSON body.
 */
final class AdministratorLogin {
  static final String CHALLENGE = "Basic realm=\"mailflow admin\", charset=\"UTF-8\"";
  /** Where the logged-in administrator is kept in the routing context. */
  static final String ADMINISTRATOR = "mailflow.administrator";

  private final Vertx vertx;
  private final Map<String, Administrator> administrators = new HashMap<>();
  private final Map<String, PasswordHash> hashes = new HashMap<>();
  private final LoginThrottle throttle;
  /** Checked for unknown names too, so a wrong name costs as long as a wrong password (no name probing). */
  private final PasswordHash decoy;

  AdministratorLogin(Vertx vertx, List<Administrator> administrators, LoginThrottle throttle) {
    this.vertx = vertx;
    this.throttle = throttle;
    for (Administrator a : administrators) {
      this.administrators.put(a.name(), a);
      hashes.put(a.name(), PasswordHash.parse(a.passwordHash()));
    }
    int iterations = hashes.values().stream().mapToInt(PasswordHash::iterations).max()
        .orElse(PasswordHash.MIN_ITERATIONS);
    this.decoy = PasswordHash.create("decoy".toCharArray(), iterations);
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
        challenge(ctx, "credentials required: HTTP Basic with an administrator's name and password");
        return;
      }
      String[] credentials = basic(header);
      if (credentials == null) {
        throttle.failed(address);
        challenge(ctx, "malformed Authorization header: expected Basic base64(name:password)");
        return;
      }
      String name = credentials[0];
      char[] password = credentials[1].toCharArray();
      vertx.executeBlocking(() -> {
        try {
          PasswordHash hash = hashes.get(name);
          boolean matches = (hash == null ? decoy : hash).matches(password);
          return hash != null && matches;
        } finally {
          Arrays.fill(password, '\0');
        }
      }, false).onComplete(result -> {
        if (result.failed() || !result.result()) {
          throttle.failed(address);
          challenge(ctx, "wrong administrator name or password");
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

  private static void challenge(RoutingContext ctx, String message) {
    ctx.response().putHeader("WWW-Authenticate", CHALLENGE);
    AdminServer.error(ctx, 401, "unauthorized", message);
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
