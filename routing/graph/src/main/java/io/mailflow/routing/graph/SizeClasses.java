package io.mailflow.routing.graph;

import java.util.Arrays;
import java.util.Collection;

/**
 * SizeClasses - cuts message sizes at every size limit a route can depend on (connector and site link
 * MaxMessageSize), so all sizes in one class route identically and can share one cached decision.
 */
final class SizeClasses {

  private final long[] limits;

  SizeClasses(Collection<Long> limits) {
    // Negative limits cannot separate sizes; 0 can (it lets only empty messages through).
    this.limits = limits.stream().filter(l -> l >= 0).mapToLong(Long::longValue).distinct().sorted().toArray();
  }

  /** The class of a size: how many limits it exceeds (a limit allows sizes up to and including itself). */
  int classOf(long messageSize) {
    int at = Arrays.binarySearch(limits, messageSize);
    return at >= 0 ? at : -at - 1;
  }

  /** The smallest size in the class; routing it decides for the whole class. No size exceeds Long.MAX_VALUE. */
  long lowerBound(int sizeClass) {
    return sizeClass == 0 ? 0 : limits[sizeClass - 1] + 1;
  }

  String describe(int sizeClass) {
    if (sizeClass == limits.length) {
      return lowerBound(sizeClass) + " bytes or more";
    }
    return lowerBound(sizeClass) + "-" + limits[sizeClass] + " bytes";
  }

  int count() {
    return limits.length + 1;
  }
}
