package io.mailflow.smtp;

/** BodyType - the MAIL FROM BODY= parameter (RFC 6152 8BITMIME, RFC 3030 BINARYMIME). */
public enum BodyType {
  SEVEN_BIT("7BIT"), EIGHT_BIT_MIME("8BITMIME"), BINARY_MIME("BINARYMIME");

  private final String keyword;

  BodyType(String keyword) {
    this.keyword = keyword;
  }

  /** The keyword as written on the wire. */
  public String keyword() {
    return keyword;
  }

  /** The body type for a BODY= value (case-insensitive), or null if there is none. */
  public static BodyType fromKeyword(String value) {
    for (BodyType t : values()) {
      if (t.keyword.equalsIgnoreCase(value)) {
        return t;
      }
    }
    return null;
  }
}
