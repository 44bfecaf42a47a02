package io.mailflow.admin;

/**
 * PoisonId - names one parked record: {@code <partition>:<offset>} on mail.poison.v1. The poison topic is an event
 * log, never compacted, so a record's place is its lasting name (until retention removes it).
 */
public record PoisonId(int partition, long offset) {
  public PoisonId {
    if (partition < 0 || offset < 0) {
      throw new IllegalArgumentException("a poison id has a partition and an offset, both 0 or more");
    }
  }

  /**
   * Parses {@code <partition>:<offset>}, as {@code GET /api/v1/poison} and {@code mailflow poison list} show it.
   *
   * @throws IllegalArgumentException saying what a poison id looks like
   */
  public static PoisonId parse(String text) {
    if (text == null || !text.matches("[0-9]{1,9}:[0-9]{1,18}")) {
      throw new IllegalArgumentException("malformed poison id '" + text
          + "': want <partition>:<offset> on mail.poison.v1, e.g. 0:17 (see the poison list)");
    }
    int colon = text.indexOf(':');
    return new PoisonId(Integer.parseInt(text.substring(0, colon)), Long.parseLong(text.substring(colon + 1)));
  }

  @Override
  public String toString() {
    return partition + ":" + offset;
  }
}
