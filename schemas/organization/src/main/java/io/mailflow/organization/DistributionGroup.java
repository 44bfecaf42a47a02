package io.mailflow.organization;

import java.util.List;

/**
 * DistributionGroup - a group whose members (addresses of mailboxes, other groups or external
 * recipients) each get a copy.
 */
public record DistributionGroup(String name, String primarySmtpAddress, List<String> members)
    implements DirectoryEntry {
  public DistributionGroup {
    members = List.copyOf(members);
  }
}
