package io.mailflow.organization;

import java.util.List;

/**
 * MailboxDatabase - a mailbox database and the servers holding its copies.
 *
 * @param copies servers with a copy, in activation preference order
 * @param activeServer the server whose copy is mounted (active)
 * @param dag the database availability group it belongs to, or null
 * @param lmtp the external mailbox store (e.g. Dovecot) mail for this database goes to over LMTP, or null:
 *     the built-in Maildir store
 */
public record MailboxDatabase(String name, List<String> copies, String activeServer, String dag, LmtpEndpoint lmtp) {

  /** RFC 2033 asks LMTP not to use port 25; 24 is the port Dovecot's and Cyrus's examples use. */
  public static final int DEFAULT_LMTP_PORT = 24;

  public MailboxDatabase {
    copies = List.copyOf(copies);
  }

  /** A database in the built-in Maildir store. */
  public MailboxDatabase(String name, List<String> copies, String activeServer, String dag) {
    this(name, copies, activeServer, dag, null);
  }

  /** Where an external store's LMTP server listens. */
  public record LmtpEndpoint(String host, int port) {
    @Override
    public String toString() {
      return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
  }
}
