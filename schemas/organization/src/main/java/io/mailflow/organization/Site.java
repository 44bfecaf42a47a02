package io.mailflow.organization;

/** Site - an Active Directory site; hub sites are relayed through when on the least-cost path. */
public record Site(String name, boolean hubSite) {}
