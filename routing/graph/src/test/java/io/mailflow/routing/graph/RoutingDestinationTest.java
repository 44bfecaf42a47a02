package io.mailflow.routing.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class RoutingDestinationTest {

  @Test
  void externalDomainIsKeptLowerCaseSoOneDomainIsOneQueue() {
    assertEquals(RoutingDestination.externalDomain("fabrikam.com"), RoutingDestination.externalDomain(" Fabrikam.COM "));
  }

  @Test
  void blankDestinationsAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> RoutingDestination.database(" "));
    assertThrows(IllegalArgumentException.class, () -> RoutingDestination.database(null));
    assertThrows(IllegalArgumentException.class, () -> RoutingDestination.externalDomain(""));
  }

  @Test
  void domainThatCouldNotBeANextHopDomainIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> RoutingDestination.externalDomain("fabrikam.com/x"));
    assertThrows(IllegalArgumentException.class, () -> RoutingDestination.externalDomain("fab rikam.com"));
  }

  @Test
  void describeNamesTheKindOfDestination() {
    assertEquals("mailbox database DB01", RoutingDestination.database("DB01").describe());
    assertEquals("external domain fabrikam.com", RoutingDestination.externalDomain("fabrikam.com").describe());
  }
}
