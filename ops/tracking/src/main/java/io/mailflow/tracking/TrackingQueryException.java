package io.mailflow.tracking;

/**
 * TrackingQueryException - a Get-MessageTrackingLog parameter that cannot be used: an unknown name, a malformed
 * address, a time that is not a time, an unknown event id or source, an inverted window, a bad cursor. The message
 * names the parameter and quotes the value, so an API can return it as it is (HTTP 400) and a CLI print it.
 */
public final class TrackingQueryException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final String parameter;

  public TrackingQueryException(String parameter, String message) {
    super(message);
    this.parameter = parameter;
  }

  /** The parameter at fault, as Get-MessageTrackingLog names it ({@code Sender}, {@code Start} ...). */
  public String parameter() {
    return parameter;
  }
}
