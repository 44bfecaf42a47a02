package io.mailflow.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EnhancedStatusCodeTest {

  @Test
  void classSubjectAndDetailOfUpToThreeDigits() {
    assertTrue(EnhancedStatusCode.isWellFormed("5.1.1"));
    assertTrue(EnhancedStatusCode.isWellFormed("4.7.123"));
    assertFalse(EnhancedStatusCode.isWellFormed("3.1.1"), "class 3 does not exist");
    assertFalse(EnhancedStatusCode.isWellFormed("5.1"));
    assertFalse(EnhancedStatusCode.isWellFormed("5.1.1234"));
    assertFalse(EnhancedStatusCode.isWellFormed(null));
  }

  @Test
  void aStatusFitsTheReplyCodeOfItsClass() {
    assertTrue(EnhancedStatusCode.fits("5.1.1", 550));
    assertFalse(EnhancedStatusCode.fits("4.4.7", 550));
    assertFalse(EnhancedStatusCode.fits("", 550));
  }

  @Test
  void theLeadingStatusOfATextOrNothing() {
    assertEquals("4.4.7", EnhancedStatusCode.leading("4.4.7 QUEUE.Expired; message expired"));
    assertEquals("2.0.0", EnhancedStatusCode.leading("2.0.0"));
    assertEquals("", EnhancedStatusCode.leading("Transaction failed"));
    assertEquals("", EnhancedStatusCode.leading(""));
  }
}
