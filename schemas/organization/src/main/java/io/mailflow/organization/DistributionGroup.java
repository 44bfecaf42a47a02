package io.mailflow.organization;

import java.util.List;

/**
 * DistributionGroup - a group whose members (addresses of mailboxes, other groups or external
 * recipients) each get a copy.
 *
 * <p>Where delivery reports for the members go (Exchange's Set-DistributionGroup options): to the
 * message's sender ({@code reportToOriginatorEnabled}, Exchange's default), to the group's manager, the
 * first of {@code managedBy} ({@code reportToManagerEnabled}), or to nobody when both are false. The
 * categorizer makes that the envelope sender of the members' copy, since reports follow it.
 *
 * @param managedBy the group's owners (Exchange's ManagedBy): addresses of mailboxes
 */
public record DistributionGroup(String name, String primarySmtpAddress, List<String> members,
    List<String> managedBy, boolean reportToOriginatorEnabled, boolean reportToManagerEnabled)
    implements DirectoryEntry {
  public DistributionGroup {
    members = List.copyOf(members);
    managedBy = managedBy == null ? List.of() : List.copyOf(managedBy);
  }

  /** A group with Exchange's report defaults: reports to the originator, no owners. */
  public DistributionGroup(String name, String primarySmtpAddress, List<String> members) {
    this(name, primarySmtpAddress, members, List.of(), true, false);
  }

  /** Whether expanding this group changes the envelope sender (reports go to the manager or to nobody). */
  public boolean redirectsReports() {
    return !reportToOriginatorEnabled || reportToManagerEnabled;
  }

  /**
   * The envelope sender of the members' copy: the manager's address, {@code ""} (the null sender {@code <>})
   * when reports go to nobody, or null when the originator keeps getting them (the sender is unchanged).
   */
  public String reportsTo() {
    if (reportToManagerEnabled && !managedBy.isEmpty()) {
      return managedBy.get(0);
    }
    return reportToOriginatorEnabled ? null : "";
  }
}
