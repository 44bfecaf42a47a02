package io.mailflow.delivery.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.delivery.core.MxRoute.MxRecord;
import java.util.List;
import org.junit.jupiter.api.Test;

class MxRouteTest {

  @Test
  void exchangesAreTriedLowestPreferenceFirst() {
    MxRoute route = MxRoute.of("fabrikam.test", List.of(new MxRecord(20, "mx2.fabrikam.test."),
        new MxRecord(5, "mx0.fabrikam.test"), new MxRecord(10, "mx1.fabrikam.test")));
    assertEquals(List.of("mx0.fabrikam.test", "mx1.fabrikam.test", "mx2.fabrikam.test"), route.hosts());
    assertFalse(route.implicit());
    assertFalse(route.nullMx());
  }

  @Test
  void equalPreferencesKeepTheOrderDnsGaveAndDuplicatesAreTriedOnce() {
    MxRoute route = MxRoute.of("fabrikam.test", List.of(new MxRecord(10, "b.fabrikam.test"),
        new MxRecord(10, "a.fabrikam.test"), new MxRecord(20, "B.Fabrikam.test.")));
    assertEquals(List.of("b.fabrikam.test", "a.fabrikam.test"), route.hosts());
  }

  @Test
  void noMxMeansTheDomainItselfAsImplicitMx() {
    MxRoute route = MxRoute.of("fabrikam.test.", List.of());
    assertEquals(List.of("fabrikam.test"), route.hosts());
    assertTrue(route.implicit());
  }

  @Test
  void aRootExchangeIsANullMxEvenBesideOtherRecords() {
    assertTrue(MxRoute.of("fabrikam.test", List.of(new MxRecord(0, "."))).nullMx());
    assertTrue(MxRoute.of("fabrikam.test", List.of(new MxRecord(0, ""))).nullMx(), "some resolvers drop the dot");
    assertTrue(MxRoute.of("fabrikam.test", List.of(new MxRecord(10, "mx.fabrikam.test"), new MxRecord(0, ".")))
        .nullMx());
  }
}
