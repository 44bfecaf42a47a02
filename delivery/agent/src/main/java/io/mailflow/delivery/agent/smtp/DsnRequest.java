package io.mailflow.delivery.agent.smtp;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * DsnRequest - the RFC 3461 parameters a message arrived with, passed on to a next hop that offers DSN, so
 * that server reports on it (and we send no success DSN ourselves): RET and ENVID with MAIL FROM, NOTIFY and
 * ORCPT with each RCPT TO. Values are the xtext as received; any that could break the command line (space,
 * control, '=' outside xtext) is dropped rather than sent.
 *
 * @param ret FULL or HDRS, or null
 * @param envId ENVID as xtext, or null
 * @param notifications per recipient (in the message's order): NOTIFY's value such as {@code SUCCESS,FAILURE}, or null
 * @param orcpts per recipient: ORCPT as {@code addr-type;xtext}, or null
 */
public record DsnRequest(String ret, String envId, List<String> notifications, List<String> orcpts) {

  public DsnRequest {
    ret = ret == null || !(ret.equals("FULL") || ret.equals("HDRS")) ? null : ret;
    envId = safe(envId);
    notifications = cleaned(notifications);
    orcpts = cleaned(orcpts);
  }

  /** The MAIL FROM parameters, each with a leading space; empty when there are none. */
  String mailParameters() {
    return (ret == null ? "" : " RET=" + ret) + (envId == null ? "" : " ENVID=" + envId);
  }

  /** The RCPT TO parameters of recipient {@code index}, each with a leading space; empty when none. */
  String rcptParameters(int index) {
    String n = index < notifications.size() ? notifications.get(index) : null;
    String o = index < orcpts.size() ? orcpts.get(index) : null;
    return (n == null ? "" : " NOTIFY=" + n) + (o == null ? "" : " ORCPT=" + o);
  }

  private static List<String> cleaned(List<String> values) {
    if (values == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>(values.size());
    values.forEach(v -> out.add(safe(v)));
    return Collections.unmodifiableList(out);
  }

  // xtext (RFC 3461 4): printable ASCII 33..126 except '=' (and '+' only as an escape)
  private static String safe(String value) {
    if (value == null || value.isEmpty() || value.length() > 500) {
      return null;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 33 || c > 126 || c == '=') {
        return null;
      }
    }
    return value;
  }
}
