package io.mailflow.smtp;

import java.util.Collection;
import java.util.EnumSet;
import java.util.List;

/**
 * Notify - one RFC 3461 NOTIFY keyword a client gave with RCPT TO. NEVER stands alone; no keyword at
 * all means FAILURE,DELAY (RFC 3461 4.1).
 */
public enum Notify {
  NEVER, SUCCESS, FAILURE, DELAY;

  /** normalized - the keywords in a fixed order (this enum's), duplicates removed. */
  public static List<Notify> normalized(Collection<Notify> notify) {
    return notify.isEmpty() ? List.of() : List.copyOf(EnumSet.copyOf(notify));
  }

  /**
   * withoutSuccess - what the members of an alias inherit (RFC 3461 6.2.7.3): the same keywords without
   * SUCCESS, since the alias itself answers SUCCESS with an "expanded" DSN; NEVER when SUCCESS was the
   * only one.
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
