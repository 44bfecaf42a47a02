package io.mailflow.organization;

/** Server - a transport/mailbox server and the site it sits in. */
public record Server(String name, String site) {}
