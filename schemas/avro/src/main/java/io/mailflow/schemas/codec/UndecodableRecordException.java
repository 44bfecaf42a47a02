package io.mailflow.schemas.codec;

/** UndecodableRecordException - a record's bytes are not a value this reader can understand. */
public final class UndecodableRecordException extends RuntimeException {
  public UndecodableRecordException(String message) {
    super(message);
  }

  public UndecodableRecordException(String message, Throwable cause) {
    super(message, cause);
  }
}
