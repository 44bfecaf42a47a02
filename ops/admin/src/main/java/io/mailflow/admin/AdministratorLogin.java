package io.mailflow.admin;

import io.mailflow.organization.Administrator;
import io.mailflow.organization.PasswordHash;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpMethod;
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
import java.util.Set;

/**
 * AdministratorLogin - who is asking, and may they: HTTP Basic against the organization's {@code administrators},
 * or a bearer {@link ApiToken} against the named administrator's {@code tokenHashes} (PBKDF2 hashes, checked on a
 * worker thread, never on the event loop), or the web console's {@link Sessions session} cookie with its CSRF
 * token, failures throttled per client address
 * ({@link LoginThrottle}), then the role: {@code ViewOnlyOrganizationManagement} reads,
 * {@code OrganizationManagement} reads and acts. No credentials → 401 with {@code WWW-Authenticate}; wrong
 * name or password, or an ended session → 401; throttled → 429 with {@code Retry-After}; role too small → 403; a
 * session's unsafe request without its CSRF token → 403 {@code csrf_token_invalid}; a browser's cross-site unsafe
 * request → 403 {@code cross_site_request}. Each with a JSON body.
 */
final class AdministratorLogin {
  static final String CHALLENGE = "Basic realm=\"mailflow admin\", charset=\"UTF-8\"";
  static final String BEARER_CHALLENGE = "Bearer realm=\"mailflow admin\"";
  /** Where the logged-in administrator is kept in the routing context. */
  static final String ADMINISTRATOR = "mailflow.administrator";
  /** Where the console session of a cookie-authenticated request is kept in the routing context. */
  static final String SESSION = "mailflow.session";
  static final String CSRF_HEADER = "X-CSRF-Token";
  /** Sent by the console's own periodic refresh, which must not keep an unattended session alive. */
  static final String REFRESH_HEADER = "X-Mailflow-Refresh";
  static final String REFRESH_AUTO = "auto";
  private static final Set<HttpMethod> SAFE_METHODS = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);

  private final Vertx vertx;
  private final Map<String, Administrator> administrators = new HashMap<>();
  private final Map<String, PasswordHash> hashes = new HashMap<>();
  private final Map<String, List<PasswordHash>> tokenHashes = new HashMap<>();
  private final LoginThrottle throttle;
  private final Sessions sessions;
  /** Whether the server speaks HTTPS (the origin a browser's same-origin request names). */
  private final boolean tls;
  /** Checked for unknown names too, so a wrong name costs as long as a wrong password (no name probing). */
  private final PasswordHash decoy;
  private final PasswordHash tokenDecoy;

  AdministratorLogin(Vertx vertx, List<Administrator> administrators, LoginThrottle throttle, Sessions sessions,
      boolean tls) {
    this.vertx = vertx;
    this.throttle = throttle;
    this.sessions = sessions;
    this.tls = tls;
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

  /** What a password or token check came to. */
  sealed interface Outcome permits Admitted, Refused, Throttled {}

  /** The name and secret match: {@code administrator} is logged in (the throttle forgot the address). */
  record Admitted(Administrator administrator) implements Outcome {}

  /** Wrong name, password or token (counted against the address). */
  record Refused() implements Outcome {}

  /** The address failed too often: refused at once, no hash computed, try again after {@code seconds}. */
  record Throttled(long seconds) implements Outcome {}

  /**
   * Checks a password (or, with {@code token}, a bearer token) for {@code name}, throttled per client
   * {@code address}: the one check HTTP Basic, Bearer and the console's login form share. The hash runs on a
   * worker; a throttled address is answered at once. Wipes {@code secret}.
   */
  Future<Outcome> check(String address, String name, char[] secret, boolean token) {
    Duration wait = throttle.wait(address);
    if (!wait.isZero()) {
      Arrays.fill(secret, '\0');
      return Future.succeededFuture(new Throttled(seconds(wait)));
    }
    return vertx.executeBlocking(() -> {
      try {
        return token ? tokenMatches(name, secret) : passwordMatches(name, secret);
      } finally {
        Arrays.fill(secret, '\0');
      }
    }, false).map(matches -> {
      if (!matches) {
        throttle.failed(address);
        return (Outcome) new Refused();
      }
      throttle.succeeded(address);
      return (Outcome) new Admitted(administrators.get(name));
    }).otherwise(e -> {
      throttle.failed(address);
      return new Refused();
    });
  }

  /**
   * A handler that lets the request on only for an administrator whose role may {@code act} (or read): by HTTP
   * Basic, a bearer token, or, without an Authorization header, the console's session cookie (then an unsafe
   * method must carry the session's {@value #CSRF_HEADER}). A browser's cross-site request with an unsafe method
   * is refused whatever it carries ({@link CrossSite}).
   */
  Handler<RoutingContext> require(boolean act) {
    return ctx -> {
      boolean unsafe = !SAFE_METHODS.contains(ctx.request().method());
      if (unsafe && CrossSite.refused(ctx.request(), tls)) {
        AdminServer.error(ctx, 403, "cross_site_request",
            "the browser says this request came from another site; actions are taken from mailflow's own console");
        return;
      }
      String header = ctx.request().getHeader("Authorization");
      Cookie cookie = ctx.request().getCookie(Sessions.COOKIE);
      if ((header == null || header.isBlank()) && cookie != null) {
        bySession(ctx, act, unsafe, cookie.getValue());
        return;
      }
      String address = address(ctx);
      Duration wait = throttle.wait(address);
      if (!wait.isZero()) {
        throttled(ctx, address, seconds(wait));
        return;
      }
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
      boolean token = credentials.length == 3;
      check(address, credentials[0], credentials[1].toCharArray(), token).onComplete(result -> {
        Outcome outcome = result.result();
        if (outcome instanceof Throttled t) {
          throttled(ctx, address, t.seconds());
        } else if (outcome instanceof Admitted admitted) {
          admit(ctx, act, admitted.administrator());
        } else {
          challenge(ctx, token ? "unknown or revoked token" : "wrong administrator name or password");
        }
      });
    };
  }

  /** The console's session: no hash (the login paid for it) and no throttle (a session id is not guessable). */
  private void bySession(RoutingContext ctx, boolean act, boolean unsafe, String id) {
    boolean activity = !REFRESH_AUTO.equals(ctx.request().getHeader(REFRESH_HEADER));
    Sessions.Session session = sessions.find(id, activity).orElse(null);
    if (session == null) {
      challenge(ctx, "the console session has expired or ended; log in again at /login");
      return;
    }
    if (unsafe && !Sessions.csrfMatches(session, ctx.request().getHeader(CSRF_HEADER))) {
      AdminServer.error(ctx, 403, "csrf_token_invalid", "a request on the console's session must carry header "
          + CSRF_HEADER + " with the session's csrfToken (GET /api/v1/session); it was missing or stale");
      return;
    }
    ctx.put(SESSION, session);
    admit(ctx, act, session.administrator());
  }

  private static void admit(RoutingContext ctx, boolean act, Administrator administrator) {
    if (act && !administrator.role().mayAct()) {
      AdminServer.error(ctx, 403, "forbidden", "administrator " + administrator.name() + " has role "
          + administrator.role() + ", which may only read; this needs OrganizationManagement");
      return;
    }
    ctx.put(ADMINISTRATOR, administrator);
    ctx.next();
  }

  private static void throttled(RoutingContext ctx, String address, long seconds) {
    ctx.response().putHeader("Retry-After", Long.toString(seconds));
    AdminServer.error(ctx, 429, "too_many_failed_logins",
        "too many failed logins from " + address + "; try again in " + seconds + " s");
  }

  /** Whole seconds to wait, rounded up, at least 1 (Retry-After). */
  static long seconds(Duration wait) {
    return Math.max(1, wait.toSeconds() + (wait.toMillisPart() > 0 ? 1 : 0));
  }

  /** The client's address, as the throttle counts it. */
  static String address(RoutingContext ctx) {
    return ctx.request().remoteAddress() == null ? "unknown" : ctx.request().remoteAddress().hostAddress();
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

  /**
   * 401. The challenge is left out for a browser's script ({@code Sec-Fetch-Dest: empty}, i.e. the console's
   * fetch): a browser answers a Basic challenge with its own password dialog, over the console's login page.
   */
  private static void challenge(RoutingContext ctx, String message) {
    if (!"empty".equals(ctx.request().getHeader("Sec-Fetch-Dest"))) {
      ctx.response().headers().add("WWW-Authenticate", CHALLENGE).add("WWW-Authenticate", BEARER_CHALLENGE);
    }
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
