package io.mailflow.edge.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * SmtpInputFuzzTest - coverage-guided fuzzing (Jazzer) of everything the engine parses from a
 * client: command arguments, command lines, DATA and BDAT content.
 *
 * <p>Without {@code JAZZER_FUZZ} (CI, {@code mvn test}) each target only replays its seed corpus in
 * src/test/resources/io/mailflow/edge/protocol/SmtpInputFuzzTestInputs/&lt;method&gt;/, so the run is
 * quick and deterministic. {@code JAZZER_FUZZ=1 mvn -o test -pl edge-smtp/protocol
 * -Dtest=SmtpInputFuzzTest#dataContent} fuzzes one target (stop it with -Djazzer.max_duration=60s);
 * a finding is written as crash-* (git-ignored): copy it into the corpus as a regression seed once fixed.
 *
 * <p>Invariants: nothing throws but the documented {@link SmtpSyntaxException}; a reply never follows
 * close; the same bytes give the same replies and messages however the network splits them; a DATA
 * message ends only at CRLF.CRLF (no smuggled second message); message sizes are never negative and
 * match the content.
 */
class SmtpInputFuzzTest {

  private static final int MAX_INPUT = 64 * 1024;

  /** MAIL FROM / RCPT TO arguments: the first byte picks ESMTP and SMTPUTF8, the rest is the argument. */
  @FuzzTest(maxDuration = "60s")
  void commandArguments(byte[] input) {
    if (input.length == 0) {
      return;
    }
    boolean esmtp = (input[0] & 1) != 0;
    boolean smtpUtf8 = (input[0] & 2) != 0;
    String argument = new String(input, 1, input.length - 1, StandardCharsets.UTF_8);
    try {
      MailFrom from = CommandArguments.parseMailFrom(argument, esmtp);
      assertTrue(from.declaredSize() >= -1, "SIZE is absent (-1) or a size, never negative: " + from);
    } catch (SmtpSyntaxException expected) {
      assertTrue(expected.reply().code() >= 500, "a syntax error is a permanent reply: " + expected.reply());
    }
    try {
      CommandArguments.parseRcptTo(argument, esmtp, smtpUtf8);
    } catch (SmtpSyntaxException expected) {
      assertTrue(expected.reply().code() >= 500, "a syntax error is a permanent reply: " + expected.reply());
    }
  }

  /** Arbitrary command lines after EHLO (the command line reader and every verb's parser). */
  @FuzzTest(maxDuration = "60s")
  void commandLines(byte[] input) {
    replayBothWays(input, "");
  }

  /** Arbitrary bytes once DATA was accepted: content, end of data, and whatever follows it. */
  @FuzzTest(maxDuration = "60s")
  void dataContent(byte[] input) {
    replayBothWays(input, "DATA\r\n");
  }

  /** Arbitrary bytes after "BDAT ": chunk sizes, LAST, chunk content and whatever follows. */
  @FuzzTest(maxDuration = "60s")
  void bdatChunks(byte[] input) {
    replayBothWays(input, "BDAT ");
  }

  /**
   * Feeds prefix+input to a session in a transaction twice, whole and one byte at a time, checking
   * the invariants after every byte of the second run, then that both runs saw the same.
   */
  private static void replayBothWays(byte[] input, String prefix) {
    if (input.length > MAX_INPUT) {
      return;
    }
    byte[] stream = concat(prefix.getBytes(StandardCharsets.US_ASCII), input);
    SessionProbe whole = SessionProbe.inTransaction();
    whole.sendBytes(stream);
    check(whole, stream, stream.length);

    SessionProbe split = SessionProbe.inTransaction();
    for (int i = 0; i < stream.length && !split.closed; i++) {
      split.session.feed(stream, i, 1);
      check(split, stream, i + 1);
    }
    assertEquals(whole.texts(), split.texts(), "replies must not depend on how the bytes arrive");
    assertEquals(whole.messages.size(), split.messages.size(), "messages must not depend on how the bytes arrive");
    for (int m = 0; m < whole.messages.size(); m++) {
      assertTrue(Arrays.equals(whole.messages.get(m).content().toByteArray(),
          split.messages.get(m).content().toByteArray()), "message " + m + " differs by split");
    }
  }

  /** The invariants after the first {@code fed} bytes of {@code stream}. */
  private static void check(SessionProbe probe, byte[] stream, int fed) {
    // the probe's send() already fails on a reply after close
    long dataMessages = probe.messages.stream().filter(m -> !m.chunked()).count();
    // "\r\n" first: the CRLF ending the DATA command line may be the first half of CRLF.CRLF
    byte[] seen = concat("\r\n".getBytes(StandardCharsets.US_ASCII), Arrays.copyOf(stream, fed));
    assertTrue(dataMessages <= endsOfData(seen),
        dataMessages + " DATA messages ended but the client sent CRLF.CRLF only " + endsOfData(seen) + " times");
    for (ReceivedMessage message : probe.messages) {
      long size = message.content().size();
      assertTrue(size >= 0, "negative message size " + size);
      assertEquals(size, message.content().toByteArray().length, "size must count the content");
    }
  }

  /** Occurrences of CRLF.CRLF, overlapping ones counted (an upper bound on ends of DATA). */
  private static int endsOfData(byte[] b) {
    int n = 0;
    for (int i = 0; i + 4 < b.length; i++) {
      if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '.' && b[i + 3] == '\r' && b[i + 4] == '\n') {
        n++;
      }
    }
    return n;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] all = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
