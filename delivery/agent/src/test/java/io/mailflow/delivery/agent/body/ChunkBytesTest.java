package io.mailflow.delivery.agent.body;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** A chunk's octets are handed on without a copy when the decoded buffer is exactly its array, else copied. */
class ChunkBytesTest {

  @Test
  void aBufferThatIsExactlyItsArrayIsNotCopied() {
    byte[] data = {1, 2, 3};
    assertSame(data, ReferencedMessage.bytesOf(ByteBuffer.wrap(data)));
  }

  @Test
  void aViewOfPartOfAnArrayIsCopiedToJustItsOctets() {
    byte[] data = {1, 2, 3, 4, 5};
    ByteBuffer middle = ByteBuffer.wrap(data, 1, 3);
    byte[] got = ReferencedMessage.bytesOf(middle);
    assertArrayEquals(new byte[] {2, 3, 4}, got);
    assertNotSame(data, got);
    assertArrayEquals(new byte[] {2, 3, 4}, ReferencedMessage.bytesOf(ByteBuffer.wrap(data).slice(1, 3)));
    assertArrayEquals(new byte[] {9}, ReferencedMessage.bytesOf(ByteBuffer.allocateDirect(1).put((byte) 9).flip()));
    assertArrayEquals(new byte[] {1, 2}, ReferencedMessage.bytesOf(ByteBuffer.wrap(data, 0, 2)), "a shorter limit");
  }
}
