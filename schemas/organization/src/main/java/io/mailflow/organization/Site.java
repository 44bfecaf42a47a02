package io.mailflow.organization;

/**
 * Site - an Active Directory site; hub sites are relayed through when on the least-cost path. A site
 * configured {@code down} cannot receive mail: routing queues at the point of failure before it (an
 * admin can also take a site down at run time: `mailflow site down`).
 */
public record Site(String name, boolean hubSite, boolean down) {
  /** A site that is up. */
  public Site(String name, boolean hubSite) {
    this(name, hubSite, false);
  }
}
