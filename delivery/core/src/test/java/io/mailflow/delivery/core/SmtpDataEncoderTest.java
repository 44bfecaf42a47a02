package io.mailflow.delivery.core;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SmtpDataEncoderTest {

  @Test
  void lineBytesAndEightBitOctetsAreFoundWhereverTheyAreInAWord() {
    Random random = new Random(13);
    byte[] alphabet = {'a', '.', ' ', '\r', '\n', (byte) 0x80, (byte) 0xFF, 0x0C, 0x0E, 0x09, 0x0B, 0x00, 0x7F};
    for (int round = 0; round < 5_000; round++) {
      byte[] bytes = new byte[random.nextInt(40)];
      for (int i = 0; i < bytes.length; i++) {
        // mostly plain text, now and then any octet: the word-at-a-time scan must agree with the plain one
        bytes[i] = random.nextInt(6) == 0 ? alphabet[random.nextInt(alphabet.length)] : (byte) ('a' + random.nextInt(26));
      }
      int from = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
      int to = from + random.nextInt(bytes.length - from + 1);
      int want = to;
      for (int i = from; i < to; i++) {
        if (bytes[i] == '\r' || bytes[i] == '\n') {
          want = i;
          break;
        }
      }
      boolean eightBit = false;
      for (byte b : bytes) {
        eightBit |= b < 0;
      }
      assertEquals(want, SmtpDataEncoder.indexOfLineByte(bytes, from, to), () -> "got the wrong index in "
          + java.util.Arrays.toString(bytes));
      assertEquals(eightBit, SmtpDataEncoder.containsEightBit(bytes), () -> "8-bit wrong in "
          + java.util.Arrays.toString(bytes));
    }
  }

  private static String encode(String message) {
    return new String(SmtpDataEncoder.encodeMessage(message.getBytes(ISO_8859_1)), ISO_8859_1);
  }

  @Test
  void linesStartingWithADotGetAnotherDot() {
    assertEquals("Subject: x\r\n\r\n..\r\n..hidden\r\nmid.dle\r\n.\r\n",
        encode("Subject: x\r\n\r\n.\r\n.hidden\r\nmid.dle\r\n"));
  }

  @Test
  void aDotOnTheFirstLineIsStuffedToo() {
    assertEquals("..x\r\n.\r\n", encode(".x\r\n"));
  }

  @Test
  void bareLfAndBareCrBecomeCrlf() {
    assertEquals("a\r\nb\r\nc\r\n\r\nd\r\n.\r\n", encode("a\nb\rc\r\n\nd\r\n"));
  }

  @Test
  void aMissingFinalLineEndIsAdded() {
    assertEquals("last line\r\n.\r\n", encode("last line"));
  }

  @Test
  void aTrailingBareCrIsAFinalLineEnd() {
    assertEquals("x\r\n.\r\n", encode("x\r"));
  }

  @Test
  void anEmptyMessageIsJustTheTerminator() {
    assertEquals(".\r\n", encode(""));
  }

  @Test
  void smugglingSequenceCannotEndDataEarly() {
    // "\n.\n" would end DATA on a receiver that accepts bare LF; we must send it as a stuffed line.
    assertEquals("a\r\n..\r\nMAIL FROM:<x>\r\n.\r\n", encode("a\n.\nMAIL FROM:<x>\r\n"));
  }

  @Test
  void chunkBoundariesDoNotChangeTheOutput() {
    Random random = new Random(42);
    byte[] alphabet = ".\r\na\u00e9".getBytes(ISO_8859_1);
    for (int round = 0; round < 200; round++) {
      byte[] message = new byte[random.nextInt(60)];
      for (int i = 0; i < message.length; i++) {
        message[i] = alphabet[random.nextInt(alphabet.length)];
      }
      byte[] whole = SmtpDataEncoder.encodeMessage(message);
      SmtpDataEncoder encoder = new SmtpDataEncoder();
      ByteArrayOutputStream chunked = new ByteArrayOutputStream();
      int at = 0;
      while (at < message.length) {
        int n = Math.min(message.length - at, 1 + random.nextInt(5));
        byte[] chunk = new byte[n];
        System.arraycopy(message, at, chunk, 0, n);
        chunked.writeBytes(encoder.encode(chunk));
        at += n;
      }
      chunked.writeBytes(encoder.finish());
      assertArrayEquals(whole, chunked.toByteArray(), "message " + new String(message, ISO_8859_1));
      assertEquals(whole.length - 3, encoder.contentOctets());
    }
  }

  @Test
  void anEncoderServesOneMessage() {
    SmtpDataEncoder encoder = new SmtpDataEncoder();
    encoder.finish();
    assertThrows(IllegalStateException.class, () -> encoder.encode(new byte[] {'x'}));
    assertThrows(IllegalStateException.class, encoder::finish);
  }

  @Test
  void eightBitContentIsDetected() {
    assertTrue(SmtpDataEncoder.containsEightBit("caf\u00e9".getBytes(ISO_8859_1)));
    assertFalse(SmtpDataEncoder.containsEightBit("plain ascii\r\n".getBytes(ISO_8859_1)));
  }

  @Test
  void bulkEncodingMatchesTheByteAtATimeDefinition() {
    Random random = new Random(7);
    byte[] alphabet = ".\r\naaaa\u00e9".getBytes(ISO_8859_1);
    for (int round = 0; round < 2000; round++) {
      byte[] message = new byte[random.nextInt(200)];
      for (int i = 0; i < message.length; i++) {
        message[i] = alphabet[random.nextInt(alphabet.length)];
      }
      SmtpDataEncoder encoder = new SmtpDataEncoder();
      ReferenceEncoder reference = new ReferenceEncoder();
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      ByteArrayOutputStream want = new ByteArrayOutputStream();
      int at = 0;
      while (at < message.length) {
        int n = Math.min(message.length - at, 1 + random.nextInt(40));
        byte[] chunk = java.util.Arrays.copyOfRange(message, at, at + n);
        got.writeBytes(encoder.encode(chunk));
        reference.encode(chunk, want);
        at += n;
      }
      got.writeBytes(encoder.finish());
      reference.finish(want);
      assertArrayEquals(want.toByteArray(), got.toByteArray(), "message " + new String(message, ISO_8859_1));
      assertEquals(reference.contentOctets, encoder.contentOctets());
    }
  }

  @Test
  void aChunkThatNeedsNoChangeIsPassedOnUncopied() {
    byte[] chunk = "Subject: x\r\n\r\nbody line\r\nmid.dle\r\n".getBytes(ISO_8859_1);
    SmtpDataEncoder encoder = new SmtpDataEncoder();
    assertTrue(encoder.encode(chunk) == chunk, "an unchanged chunk is the same array");
    assertEquals(chunk.length, encoder.contentOctets());
    byte[] partial = "no line end yet".getBytes(ISO_8859_1);
    assertTrue(encoder.encode(partial) == partial);
    assertEquals(".\r\n", new String(java.util.Arrays.copyOfRange(encoder.finish(), 2, 5), ISO_8859_1),
        "an unterminated last line still gets its CRLF before the dot");
  }

  /** The encoder as RFC 5321 4.5.2 says it, one byte at a time: what the bulk encoder must equal. */
  private static final class ReferenceEncoder {
    boolean atLineStart = true;
    boolean pendingCr;
    long contentOctets;

    void encode(byte[] chunk, ByteArrayOutputStream out) {
      for (byte b : chunk) {
        if (pendingCr) {
          pendingCr = false;
          endLine(out);
          if (b == '\n') {
            continue;
          }
        }
        if (b == '\r') {
          pendingCr = true;
        } else if (b == '\n') {
          endLine(out);
        } else {
          if (atLineStart && b == '.') {
            out.write('.');
            contentOctets++;
          }
          atLineStart = false;
          out.write(b);
          contentOctets++;
        }
      }
    }

    void finish(ByteArrayOutputStream out) {
      if (pendingCr) {
        pendingCr = false;
        endLine(out);
      }
      if (!atLineStart) {
        endLine(out);
      }
      out.writeBytes(".\r\n".getBytes(ISO_8859_1));
    }

    private void endLine(ByteArrayOutputStream out) {
      out.write('\r');
      out.write('\n');
      contentOctets += 2;
      atLineStart = true;
    }
  }
}
