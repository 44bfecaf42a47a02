package io.mailflow.delivery.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.delivery.core.DnsFailure.Kind;
import org.junit.jupiter.api.Test;

class DnsFailureTest {

  @Test
  void nxdomainIsAPermanent544() {
    DnsFailure f = DnsFailure.fromResponseCode("NXDOMAIN", "nowhere.test");
    assertEquals(Kind.NON_EXISTENT_DOMAIN, f.kind());
    assertTrue(f.permanent());
    assertEquals("550 5.4.4 SMTPSEND.DNS.NonExistentDomain; nonexistent domain nowhere.test (NXDOMAIN)",
        f.reply().toString());
    assertInstanceOf(DeliveryOutcome.Permanent.class, f.outcomeFor("x@nowhere.test"));
  }

  @Test
  void nullMxAndNoAddressArePermanent544() {
    DnsFailure nullMx = new DnsFailure(Kind.NULL_MX, "fabrikam.test", "");
    assertTrue(nullMx.permanent());
    assertEquals(550, nullMx.reply().code());
    assertEquals("5.4.4", nullMx.reply().enhancedStatus());
    assertTrue(nullMx.reply().toString().contains("null MX"), nullMx.reply().toString());
    DnsFailure none = new DnsFailure(Kind.NO_ADDRESS, "fabrikam.test", "");
    assertTrue(none.permanent());
    assertEquals("5.4.4", none.reply().enhancedStatus());
  }

  @Test
  void servfailRefusedAndTimeoutsAreTransient() {
    for (String code : new String[] {"SERVFAIL", "REFUSED", "", null}) {
      DnsFailure f = DnsFailure.fromResponseCode(code, "fabrikam.test");
      assertEquals(Kind.SERVER_FAILURE, f.kind(), String.valueOf(code));
      assertFalse(f.permanent());
      assertEquals(451, f.reply().code());
      assertInstanceOf(DeliveryOutcome.Transient.class, f.outcomeFor("x@fabrikam.test"));
    }
    DnsFailure timeout = new DnsFailure(Kind.TIMED_OUT, "fabrikam.test", "query timeout");
    assertFalse(timeout.permanent());
    assertEquals("451 4.4.0 DNS query failed. The error was: SMTPSEND.DNS.Timeout; no answer looking up"
        + " fabrikam.test (query timeout)", timeout.reply().toString());
  }
}
