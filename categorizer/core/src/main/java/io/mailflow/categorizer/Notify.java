package io.mailflow.categorizer;

import java.util.Collection;
import java.util.EnumSet;
import java.util.List;

/**
 * Notify - an RFC 3461 NOTIFY keyword of one recipient. No keyword at all means the default (failures and,
 * at the MTA's choice, delays are reported).
 */
public enum Notify {
  NEVER, SUCCESS, FAILURE, DELAY;

  /** The keywords in a fixed order, duplicates removed. */
  public static List<Notify> normalized(Collection<Notify> notify) {
    return notify.isEmpty() ? List.of() : List.copyOf(EnumSet.copyOf(notify));
  }

  /**
   * What the members of an alias inherit (RFC 3461 6.2.7.3): the same keywords without SUCCESS, since
   * the alias itself answers SUCCESS with an "expanded" DSN; NEVER when SUCCESS was the only one.
   */
  public static List<Notify> withoutSuccess(List<Notify> notify) {
    if (!notify.contains(SUCCESS)) {
      return notify;
    }
    EnumSet<Notify> rest = EnumSet.copyOf(notify);
    rest.remove(SUCCESS);
    return rest.isEmpty() ? List.of(NEVER) : List.copyOf(rest);
  }
}
