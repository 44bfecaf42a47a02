package io.mailflow.dsn;

import io.mailflow.smtp.Notify;
import java.util.Collection;
import java.util.Objects;

/**
 * DsnPolicy - whether a recipient's outcome may be reported to the sender at all (RFC 3461 NOTIFY, and
 * RFC 5321 6.1: never a notification about a message from the null sender, so two MTAs can never bounce
 * bounces at each other forever).
 */
public final class DsnPolicy {

  private DsnPolicy() {}

  /**
   * @param envelopeSender the original MAIL FROM without brackets; empty for {@code <>}
   * @param notify the recipient's NOTIFY values (a set, or a list as the categorizer keeps them); empty when
   *     the client gave none, which RFC 3461 4.1 reads as FAILURE,DELAY
   * @param action what the DSN would report
   */
  public static boolean allows(String envelopeSender, Collection<Notify> notify, DsnAction action) {
    Objects.requireNonNull(notify, "notify");
    Objects.requireNonNull(action, "action");
    if (envelopeSender == null || envelopeSender.isEmpty() || notify.contains(Notify.NEVER)) {
      return false;
    }
    return switch (action) {
      case FAILED -> notify.isEmpty() || notify.contains(Notify.FAILURE);
      case DELAYED -> notify.isEmpty() || notify.contains(Notify.DELAY);
      case DELIVERED, EXPANDED, RELAYED -> notify.contains(Notify.SUCCESS);
    };
  }
}
