package io.mailflow.categorizer;

import io.mailflow.organization.TransportConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * EnvelopeLimits - applies the organization's transport limits to a message: more than
 * MaxRecipientEnvelopeLimit envelope recipients fails the whole message ({@code 5.5.3}); otherwise the
 * resolved recipients are split into copies of at most ExpansionSizeLimit each.
 *
 * <p>As in Exchange, the envelope limit counts the recipients the sender addressed, a group counting as
 * one: counted after expansion, any group larger than 500 members could never receive mail, and the
 * expansion size limit (1000) that splits large expansions would never come into play.
 *
 * <p>Bifurcation comes first: recipients needing another envelope sender (a group reporting to its manager
 * or to nobody) or forwarded by a mailbox that keeps its own copy go into copies of their own, in order
 * of first appearance; each of those is then split by ExpansionSizeLimit.
 *
 * <p>Copies share the network message id; the caller gives each its own internal id. Pure.
 */
public final class EnvelopeLimits {
  /** The NDR status Exchange's categorizer gives a message over MaxRecipientEnvelopeLimit. */
  public static final String TOO_MANY_RECIPIENTS = "550 5.5.3 RESOLVER.ADR.RecipLimit; too many recipients";

  private final TransportConfig config;

  public EnvelopeLimits(TransportConfig config) {
    this.config = config;
  }

  /**
   * The copies to write, or none and a FAIL event naming the envelope recipients.
   *
   * @param copies recipient lists in resolution order, each at most expansionSizeLimit long, all recipients
   *     of one copy sharing one {@link Resolution#copyKey()}
   * @param failure the FAIL tracking event when the message is over maxRecipientEnvelopeLimit
   */
  public record Copies(List<List<Resolution>> copies, Optional<ResolutionEvent> failure) {
    public Copies {
      copies = copies.stream().map(List::copyOf).toList();
    }
  }

  public Copies apply(List<String> envelopeRecipients, ResolvedRecipients resolved) {
    List<Resolution> deliverable = resolved.deliverable();
    // The sender addressed the envelope recipients; the limit and the NDR count those, once each.
    Set<String> seen = new LinkedHashSet<>();
    List<String> addressed = new ArrayList<>();
    for (String recipient : envelopeRecipients) {
      if (seen.add(recipient.toLowerCase(Locale.ROOT))) {
        addressed.add(recipient);
      }
    }
    if (addressed.size() > config.maxRecipientEnvelopeLimit()) {
      List<String> status = addressed.stream().map(r -> TOO_MANY_RECIPIENTS).toList();
      return new Copies(List.of(), Optional.of(new ResolutionEvent(ResolutionEventId.FAIL, addressed, status, null)));
    }
    Map<Resolution.CopyKey, List<Resolution>> bifurcated = new LinkedHashMap<>();
    for (Resolution resolution : deliverable) {
      bifurcated.computeIfAbsent(resolution.copyKey(), k -> new ArrayList<>()).add(resolution);
    }
    List<List<Resolution>> copies = new ArrayList<>();
    int size = config.expansionSizeLimit();
    for (List<Resolution> branch : bifurcated.values()) {
      for (int from = 0; from < branch.size(); from += size) {
        copies.add(branch.subList(from, Math.min(branch.size(), from + size)));
      }
    }
    return new Copies(copies, Optional.empty());
  }
}
