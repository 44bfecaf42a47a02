package io.mailflow.organization;

import java.util.List;

/**
 * MailboxDatabase - a mailbox database and the servers holding its copies.
 *
 * @param copies servers with a copy, in activation preference order
 * @param activeServer the server whose copy is mounted (active)
 * @param dag the database availability group it belongs to, or null
 */
public record MailboxDatabase(String name, List<String> copies, String activeServer, String dag) {
  public MailboxDatabase {
    copies = List.copyOf(copies);
  }
}
