package io.mailflow.categorizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * HeaderAddresses - the addresses in a message's originator fields (From:, Sender:), read from its header
 * section: fields unfolded, display names, comments, quoted strings, groups and source routes dropped.
 * Header text is read as UTF-8 (RFC 6532); what is not an address is left out, and a caller treating
 * addresses as permissions must treat such a field as naming nobody it knows. Pure.
 */
public final class HeaderAddresses {
  private HeaderAddresses() {}

  /** The header section of a message: everything before the first empty line (the whole input if none). */
  public static byte[] headerSection(byte[] message) {
    for (int i = 0; i < message.length; i++) {
      if (message[i] == '\n' && (i + 1 < message.length && message[i + 1] == '\n'
          || i + 2 < message.length && message[i + 1] == '\r' && message[i + 2] == '\n')) {
        return java.util.Arrays.copyOf(message, i + 1);
      }
    }
    return message;
  }

  /** The addresses of every field named {@code name} (any case), in order. */
  public static List<String> of(byte[] headerSection, String name) {
    List<String> addresses = new ArrayList<>();
    for (String field : fields(new String(headerSection(headerSection), StandardCharsets.UTF_8))) {
      int colon = field.indexOf(':');
      if (colon > 0 && field.substring(0, colon).strip().equalsIgnoreCase(name)) {
        addresses.addAll(mailboxList(field.substring(colon + 1)));
      }
    }
    return addresses;
  }

  /** Unfolded fields: a line starting with white space continues the one before (RFC 5322 2.2.3). */
  static List<String> fields(String header) {
    List<String> fields = new ArrayList<>();
    StringBuilder current = null;
    for (String line : header.split("\r?\n", -1)) {
      if (!line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t') && current != null) {
        current.append(line);
      } else {
        if (current != null) {
          fields.add(current.toString());
        }
        current = line.isEmpty() ? null : new StringBuilder(line);
      }
    }
    if (current != null) {
      fields.add(current.toString());
    }
    return fields;
  }

  /** The addr-specs of an RFC 5322 address-list / mailbox-list. */
  static List<String> mailboxList(String value) {
    List<String> addresses = new ArrayList<>();
    StringBuilder plain = new StringBuilder(); // the current mailbox outside comments and quotes
    StringBuilder angle = null; // inside <...>
    String angled = null;
    boolean quoted = false;
    int comment = 0;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (quoted) {
        if (c == '\\' && i + 1 < value.length()) {
          c = value.charAt(++i);
          (angle != null ? angle : plain).append('\\').append(c);
          continue;
        } else if (c == '"') {
          quoted = false;
        }
        (angle != null ? angle : plain).append(c);
      } else if (comment > 0) {
        if (c == '\\') {
          i++;
        } else if (c == '(') {
          comment++;
        } else if (c == ')') {
          comment--;
        }
      } else if (c == '(') {
        comment = 1;
      } else if (c == '"') {
        quoted = true;
        (angle != null ? angle : plain).append(c);
      } else if (c == '<' && angle == null) {
        angle = new StringBuilder();
      } else if (c == '>' && angle != null) {
        angled = angle.toString();
        angle = null;
      } else if (angle != null) {
        angle.append(c);
      } else if (c == ':') {
        plain.setLength(0); // a group's display name
      } else if (c == ',' || c == ';') {
        add(addresses, angled != null ? angled : plain.toString());
        plain.setLength(0);
        angled = null;
      } else {
        plain.append(c);
      }
    }
    add(addresses, angled != null ? angled : plain.toString());
    return addresses;
  }

  private static void add(List<String> addresses, String candidate) {
    String address = candidate.strip();
    int route = address.startsWith("@") ? address.indexOf(':') : -1; // obsolete source route: <@a,@b:x@y>
    if (route >= 0) {
      address = address.substring(route + 1).strip();
    }
    if (!address.isEmpty() && address.indexOf('@') > 0) {
      addresses.add(address.replaceAll("\\s+", ""));
    }
  }
}
