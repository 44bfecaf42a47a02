package io.mailflow.organization;

import java.util.List;

/**
 * SiteLink - an IP site link joining two or more sites at a cost (Exchange default 100, 1-99,999).
 *
 * @param maxMessageSize larger messages may not cross this link; 0 means unlimited
 */
public record SiteLink(String name, List<String> sites, int cost, long maxMessageSize) {
  public static final int DEFAULT_COST = 100;

  public SiteLink {
    sites = List.copyOf(sites);
  }
}
