package io.mailflow.admin;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import java.util.Locale;

/**
 * CrossSite - whether a browser says a request was started by another site: {@code Sec-Fetch-Site} other than
 * {@code same-origin} or {@code none} (typed or bookmarked), or else an {@code Origin} other than this server's.
 * SameSite=Strict keeps the session cookie off such requests, but not cached Basic credentials, and "site" spans
 * every port of a host (another web application on 127.0.0.1 is same-site): so state-changing requests and the
 * login form refuse them outright. Clients that send neither header (curl, scripts) are not browsers and pass.
 */
final class CrossSite {
  private CrossSite() {}

  /** Whether to refuse {@code request}, served over HTTPS when {@code tls}. */
  static boolean refused(HttpServerRequest request, boolean tls) {
    String site = request.getHeader("Sec-Fetch-Site");
    if (site != null) {
      String s = site.strip().toLowerCase(Locale.ROOT);
      return !s.equals("same-origin") && !s.equals("none");
    }
    String origin = request.getHeader("Origin");
    if (origin == null) {
      return false;
    }
    // the authority the request was sent to: Host in HTTP/1.1, :authority in HTTP/2 (java.net.http upgrades to h2c)
    HostAndPort authority = request.authority();
    if (authority == null) {
      return true;
    }
    String host = authority.host().contains(":") && !authority.host().startsWith("[")
        ? "[" + authority.host() + "]" : authority.host();
    String self = (tls ? "https://" : "http://") + host + (authority.port() >= 0 ? ":" + authority.port() : "");
    // "null": a sandboxed frame, a data: URL, a redirect across origins - never this server's own page
    return !origin.strip().equalsIgnoreCase(self);
  }
}
