package io.mailflow.organization;

import java.util.List;

/**
 * TransportConfig - organization-wide transport limits (Exchange {@code Set-TransportConfig}, and the
 * categorizer's ExpansionSizeLimit from EdgeTransport.exe.config).
 *
 * @param maxRecipientEnvelopeLimit most recipients a message may have after group expansion; more fail
 *     the whole message with {@code 5.5.3} ({@code Integer.MAX_VALUE}: unlimited)
 * @param expansionSizeLimit most envelope recipients in one categorized copy; a bigger expansion is split
 *     into several copies that share the network message id
 * @param tlsReceiveDomainSecureList partner domains whose servers are authenticated by their TLS client
 *     certificate (Exchange's domain security): their sessions become Partners (lower case)
 */
public record TransportConfig(int maxRecipientEnvelopeLimit, int expansionSizeLimit,
    List<String> tlsReceiveDomainSecureList) {
  /** Exchange 2019's MaxRecipientEnvelopeLimit. */
  public static final int DEFAULT_MAX_RECIPIENT_ENVELOPE_LIMIT = 500;
  /** Exchange 2019's ExpansionSizeLimit. */
  public static final int DEFAULT_EXPANSION_SIZE_LIMIT = 1000;

  /** Limits only, no domain-secure partners. */
  public TransportConfig(int maxRecipientEnvelopeLimit, int expansionSizeLimit) {
    this(maxRecipientEnvelopeLimit, expansionSizeLimit, List.of());
  }

  public TransportConfig {
    tlsReceiveDomainSecureList = tlsReceiveDomainSecureList == null ? List.of()
        : tlsReceiveDomainSecureList.stream().map(d -> d.toLowerCase(java.util.Locale.ROOT)).toList();
    if (maxRecipientEnvelopeLimit < 1 || expansionSizeLimit < 1) {
      throw new IllegalArgumentException("transportConfig: limits must be at least 1, got maxRecipientEnvelopeLimit "
          + maxRecipientEnvelopeLimit + ", expansionSizeLimit " + expansionSizeLimit);
    }
  }

  public static TransportConfig defaults() {
    return new TransportConfig(DEFAULT_MAX_RECIPIENT_ENVELOPE_LIMIT, DEFAULT_EXPANSION_SIZE_LIMIT);
  }
}
