package io.mailflow.admin;

import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * ConsoleRoutes - the web console: the login form ({@code GET|POST /login}, a page rendered here), logout, the
 * session the console's script asks for ({@code GET /api/v1/session}: who, role, CSRF token), and the static page
 * itself ({@code /}, {@code /console.js}, {@code /console.css}: the resources under {@code console/} beside this
 * class, served as they are; no build step). The page is a client of the admin API like any other; it only authenticates by cookie.
 */
final class ConsoleRoutes {
  static final String RESOURCES = "io/mailflow/admin/console";
  static final String SESSION_PATH = "/api/v1/session";
  /**
   * Scripts, styles, images and fetches only from this server; no inline script or style, no framing, forms post
   * only here. default-src does not cover base-uri, form-action or frame-ancestors, so they are named too.
   */
  static final String CONTENT_SECURITY_POLICY =
      "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
  /** Long enough for any administrator name and passphrase; longer is refused before it costs a hash. */
  static final int MAX_NAME = 256;
  static final int MAX_PASSWORD = 1024;
  /** A template, beside this class rather than under console/, so the static handler never serves it raw. */
  private static final String LOGIN_PAGE = resource("login.html");

  private final AdministratorLogin login;
  private final Sessions sessions;
  private final boolean tls;

  ConsoleRoutes(AdministratorLogin login, Sessions sessions, boolean tls) {
    this.login = login;
    this.sessions = sessions;
    this.tls = tls;
  }

  /** The console's routes, added to the admin server's router. */
  void register(Router router) {
    router.get("/login").handler(this::pageHeaders).handler(ctx -> page(ctx, 200, null));
    router.post("/login").handler(this::pageHeaders).handler(this::logIn);
    router.post("/logout").handler(this::logOut);
    router.get(SESSION_PATH).handler(this::session);
    StaticHandler assets = StaticHandler.create(RESOURCES).setCachingEnabled(false).setDirectoryListing(false)
        .setIncludeHidden(false).setDefaultContentEncoding("UTF-8");
    // the three files only (a regex route: the static handler then sees the whole path), so no other GET - an API
    // route added later, a 404 - ever passes through the static handler
    router.getWithRegex("/(index\\.html|console\\.js|console\\.css)?").handler(this::pageHeaders).handler(assets);
  }

  /** What every console page and asset carries: the CSP, no framing, no sniffing, no caching, no referrer. */
  private void pageHeaders(RoutingContext ctx) {
    ctx.addHeadersEndHandler(v -> ctx.response().headers().set("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        .set("X-Frame-Options", "DENY").set("X-Content-Type-Options", "nosniff").set("Cache-Control", "no-store")
        .set("Referrer-Policy", "no-referrer"));
    ctx.next();
  }

  /**
   * POST /login (form: name, password): the same check and throttle as HTTP Basic; a new session in the cookie and
   * 303 to the console, or the login page again saying what was wrong, never whether the name exists.
   */
  private void logIn(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (CrossSite.refused(request, tls)) {
      page(ctx, 403, "This form only accepts logins from mailflow's own login page.");
      return;
    }
    String name = request.getFormAttribute("name");
    String password = request.getFormAttribute("password");
    if (name == null || name.isBlank() || password == null || password.isEmpty()) {
      page(ctx, 400, "Enter a name and a password.");
      return;
    }
    if (name.length() > MAX_NAME || password.length() > MAX_PASSWORD) {
      page(ctx, 401, "Wrong name or password.");
      return;
    }
    String address = AdministratorLogin.address(ctx);
    char[] secret = password.toCharArray();
    login.check(address, name.strip(), secret, false).onComplete(result -> {
      AdministratorLogin.Outcome outcome = result.result();
      if (outcome instanceof AdministratorLogin.Throttled t) {
        ctx.response().putHeader("Retry-After", Long.toString(t.seconds()));
        page(ctx, 429, "Too many failed logins from this address. Try again in " + t.seconds() + " seconds.");
      } else if (outcome instanceof AdministratorLogin.Admitted admitted) {
        Cookie old = request.getCookie(Sessions.COOKIE);
        if (old != null) {
          sessions.end(old.getValue()); // a fresh id at each login: a planted cookie never becomes a session
        }
        Sessions.Session session = sessions.create(admitted.administrator());
        ctx.response().addCookie(cookie(session.id()));
        ctx.response().setStatusCode(303).putHeader("Location", "/").end();
      } else {
        page(ctx, 401, "Wrong name or password.");
      }
    }); // check() wipes the password once hashed
  }

  /** POST /logout: ends the cookie's session (its CSRF token required, like every action) and clears the cookie. */
  private void logOut(RoutingContext ctx) {
    if (CrossSite.refused(ctx.request(), tls)) {
      AdminServer.error(ctx, 403, "cross_site_request", "the browser says this request came from another site");
      return;
    }
    Cookie cookie = ctx.request().getCookie(Sessions.COOKIE);
    if (cookie != null) {
      Sessions.Session session = sessions.find(cookie.getValue(), false).orElse(null);
      if (session != null
          && !Sessions.csrfMatches(session, ctx.request().getHeader(AdministratorLogin.CSRF_HEADER))) {
        AdminServer.error(ctx, 403, "csrf_token_invalid", "logout must carry header "
            + AdministratorLogin.CSRF_HEADER + " with the session's csrfToken");
        return;
      }
      sessions.end(cookie.getValue());
    }
    ctx.response().addCookie(cookie("").setMaxAge(0));
    ctx.response().setStatusCode(204).putHeader("Cache-Control", "no-store").end();
  }

  /** GET /api/v1/session: the cookie's administrator, role and CSRF token; 401 without a live session. */
  private void session(RoutingContext ctx) {
    Cookie cookie = ctx.request().getCookie(Sessions.COOKIE);
    Sessions.Session session = cookie == null ? null : sessions.find(cookie.getValue(), true).orElse(null);
    if (session == null) {
      AdminServer.error(ctx, 401, "unauthorized", "no console session; log in at /login");
      return;
    }
    AdminServer.json(ctx, 200, new JsonObject().put("name", session.administrator().name())
        .put("role", session.administrator().role().name()).put("csrfToken", session.csrfToken()));
  }

  /**
   * The session cookie: HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it), Path=/,
   * Secure over HTTPS; no Max-Age, so it ends with the browser (the server ends it sooner, {@link Sessions}).
   */
  private Cookie cookie(String value) {
    return Cookie.cookie(Sessions.COOKIE, value).setPath("/").setHttpOnly(true).setSecure(tls)
        .setSameSite(CookieSameSite.STRICT);
  }

  /** The login page, with {@code error} (escaped) when there is one. */
  private static void page(RoutingContext ctx, int status, String error) {
    String html = LOGIN_PAGE.replace("<!--error-->", error == null ? ""
        : "<p class=\"error\" id=\"login-error\" data-testid=\"login-error\" role=\"alert\">" + escape(error) + "</p>");
    ctx.response().setStatusCode(status).putHeader("Content-Type", "text/html; charset=utf-8").end(html);
  }

  /** HTML text and attribute escaping. */
  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  private static String resource(String name) {
    try (InputStream in = ConsoleRoutes.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("resource " + name + " is missing beside ConsoleRoutes");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
