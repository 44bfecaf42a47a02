package io.mailflow.edge.protocol;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * MessageBuffer - collects a message while it arrives and counts the client's octets against the
 * size limit. Past the limit it keeps counting but stores nothing, so an oversize message costs no
 * more memory than the limit.
 *
 * <p>Past the inline limit, when the hooks give a {@link BodySpill}, the header section (up to and
 * including the first CRLF CRLF; the trace header comes first) stays in memory and the rest goes to
 * the spill in fixed-size chunks; while {@code window} writes are unfinished the buffer is
 * {@link #blocked()} and the readers stop consuming input. A header section still going on at the inline
 * limit is waited for in memory, up to {@link SmtpConfig#SPILL_HEADER_SECTION_LIMIT} (a small inline limit must
 * not refuse messages with long headers); one that has not ended by then makes the message refused
 * ({@link #headerTooLarge()}): nothing more is stored.
 *
 * <p>Also notes text lines over 1000 octets (RFC 5321 4.5.3.1.6) when asked to.
 */
final class MessageBuffer {
  private static final int CHUNK = 64 * 1024;
  /** The first array of a spill chunk being filled (it grows up to the chunk size). */
  static final int FIRST_PENDING = 32 * 1024;

  /** Where the octets go: memory until the decision at the inline limit, then memory or the spill. */
  private enum Mode { UNDECIDED, IN_MEMORY, SPILLING, HEADER_TOO_LARGE, SPILL_FAILED, OVERSIZE, DONE }

  private final long limit;
  private final int inlineLimit;
  /** How far past the inline limit a header section that has not ended yet is waited for in memory. */
  private final int headerWait;
  private final int chunkSize;
  private final int window;
  private final boolean checkLines;
  private final Supplier<Optional<BodySpill>> spillSource;
  private final Executor executor;
  private final Runnable progress;

  private Mode mode = Mode.UNDECIDED;
  private final List<byte[]> chunks = new ArrayList<>();
  private byte[] current = new byte[1024];
  private int used;
  /** Octets in memory (trace header included) while UNDECIDED. */
  private long held;
  private long clientOctets;

  /** How much of CR LF CR LF the last octets matched; the header end once found (-1 before). */
  private int crlfMatched;
  private long headerEnd = -1;

  private int lineOctets;
  private boolean longLine;

  private BodySpill spill;
  private byte[] pending;
  private int pendingUsed;
  private int inFlight;
  private int chunkCount;
  private long spilledOctets;
  private Throwable failure;
  private CompletableFuture<Void> drained;

  /** Everything in memory, lines unchecked (no spill). */
  MessageBuffer(long limit, byte[] traceHeader) {
    this(limit, traceHeader, Integer.MAX_VALUE, 1, 1, false, null, Runnable::run, () -> { });
  }

  /**
   * @param spillSource asked once when the message passes {@code inlineLimit}; null never spills
   * @param executor runs spill completions on the session's thread
   * @param progress told (on the session's thread) whenever a spill write completed
   */
  MessageBuffer(long limit, byte[] traceHeader, int inlineLimit, int chunkSize, int window, boolean checkLines,
      Supplier<Optional<BodySpill>> spillSource, Executor executor, Runnable progress) {
    this.limit = limit;
    this.inlineLimit = inlineLimit;
    this.headerWait = Math.max(inlineLimit, SmtpConfig.SPILL_HEADER_SECTION_LIMIT);
    this.chunkSize = chunkSize;
    this.window = window;
    this.checkLines = checkLines;
    this.spillSource = spillSource;
    this.executor = executor;
    this.progress = progress;
    for (int i = 0; i < traceHeader.length; i++) {
      scan(traceHeader[i], i + 1);
    }
    if (traceHeader.length > 0) {
      chunks.add(traceHeader.clone());
      held = traceHeader.length;
    }
  }

  void write(int b) {
    if (checkLines) {
      countLine(b);
    }
    if (++clientOctets > limit) {
      oversize();
      return;
    }
    switch (mode) {
      case UNDECIDED -> {
        scan(b, held + 1);
        store(b);
        if (++held > inlineLimit && decisionDue()) {
          decide();
        }
      }
      case IN_MEMORY -> store(b);
      case SPILLING -> {
        if (pendingUsed == pending.length) {
          growPending(pendingUsed + 1);
        }
        pending[pendingUsed++] = (byte) b; // room() is never 0 while spilling: a full chunk leaves at once
        if (pendingUsed == chunkSize) {
          byte[] full = pending;
          pending = new byte[firstPendingSize()];
          pendingUsed = 0;
          emit(full);
        }
      }
      default -> { } // refused already: count only
    }
  }

  void write(byte[] b, int off, int len) {
    if (checkLines && !longLine) {
      for (int i = off; i < off + len; i++) {
        countLine(b[i]);
      }
    }
    long room = limit - clientOctets;
    clientOctets += len;
    int keep = (int) Math.max(0, Math.min(len, room));
    while (keep > 0) {
      int n;
      switch (mode) {
        case UNDECIDED -> {
          // up to the decision: the inline limit, or while the header section goes on, its end (or headerWait)
          long until = headerEnd < 0 ? Math.max(inlineLimit, headerWait) : inlineLimit;
          n = (int) Math.max(1, Math.min(keep, until + 1 - held));
          for (int i = off; i < off + n && headerEnd < 0; i++) {
            scan(b[i], held + (i - off) + 1);
          }
          store(b, off, n);
          held += n;
          if (held > inlineLimit && decisionDue()) {
            decide();
          }
        }
        case IN_MEMORY -> {
          n = keep;
          store(b, off, n);
        }
        case SPILLING -> {
          n = keep;
          pend(b, off, n);
        }
        default -> n = keep;
      }
      off += n;
      keep -= n;
    }
    if (clientOctets > limit) {
      oversize();
    }
  }

  /** Octets the client sent for this message (after dot-unstuffing), stored or not. */
  long clientOctets() {
    return clientOctets;
  }

  boolean exceeded() {
    return clientOctets > limit;
  }

  /** The body had to spill but the header section had not ended within the inline limit. */
  boolean headerTooLarge() {
    return mode == Mode.HEADER_TOO_LARGE;
  }

  /** A text line longer than 1000 octets including CRLF was seen (only when lines are checked). */
  boolean longLine() {
    return longLine;
  }

  /** Why a spill write failed, or null. */
  Throwable spillFailure() {
    return mode == Mode.SPILL_FAILED ? failure : null;
  }

  boolean spilling() {
    return mode == Mode.SPILLING;
  }

  /** Octets that can be written before the next chunk would go to the spill (no limit when not spilling). */
  int room() {
    return mode == Mode.SPILLING ? chunkSize - pendingUsed : Integer.MAX_VALUE;
  }

  /** As many spill writes as the window allows are in flight: stop reading input. */
  boolean blocked() {
    return mode == Mode.SPILLING && inFlight >= window;
  }

  /**
   * The content is complete: writes the last partial chunk; the stage completes (on the session's
   * thread) once no write is in flight, then the spill's {@link BodySpill#finish()}. Only while spilling.
   */
  CompletionStage<Void> settle() {
    if (mode != Mode.SPILLING) {
      throw new IllegalStateException("not spilling");
    }
    if (pendingUsed > 0) {
      emit(pendingUsed == pending.length ? pending : Arrays.copyOf(pending, pendingUsed));
      pendingUsed = 0;
    }
    pending = null;
    drained = new CompletableFuture<>();
    if (inFlight == 0) {
      drained.complete(null);
    }
    return drained.thenCompose(v -> {
      if (mode != Mode.SPILLING) {
        // failed or abandoned meanwhile; the session checks spillFailure()
        return CompletableFuture.<Void>completedFuture(null);
      }
      CompletionStage<Void> done;
      try {
        done = spill.finish();
      } catch (RuntimeException e) {
        done = CompletableFuture.failedFuture(e);
      }
      CompletableFuture<Void> back = new CompletableFuture<>();
      done.whenComplete((ok, e) -> executor.execute(() -> {
        if (e != null) {
          failed(e);
        }
        back.complete(null);
      }));
      return back;
    });
  }

  /** The finished content, handed over: later {@link #abandon()} no longer discards the spill. */
  MessageContent finish() {
    if (used > 0) {
      chunks.add(Arrays.copyOf(current, used));
    }
    used = 0;
    boolean spilled = mode == Mode.SPILLING;
    mode = Mode.DONE;
    return spilled ? new MessageContent(chunks, spill, chunkCount, spilledOctets) : new MessageContent(chunks);
  }

  /** The message will not be queued (refused, reset, session gone): discard the spill, free memory. */
  void abandon() {
    if (mode == Mode.SPILLING) {
      spill.discard();
    }
    if (mode != Mode.DONE) {
      mode = Mode.OVERSIZE;
    }
    free();
  }

  // ---- internals

  private void countLine(int b) {
    if (++lineOctets > SmtpConfig.MAX_TEXT_LINE) {
      longLine = true;
    }
    if (b == '\n') {
      lineOctets = 0;
    }
  }

  /** Looks for the first CR LF CR LF, the end of the header section. */
  private void scan(int b, long positionAfter) {
    if (headerEnd >= 0) {
      return;
    }
    boolean expectCr = crlfMatched % 2 == 0;
    if (b == (expectCr ? '\r' : '\n')) {
      crlfMatched++;
    } else {
      crlfMatched = b == '\r' ? 1 : 0;
    }
    if (crlfMatched == 4) {
      headerEnd = positionAfter;
    }
  }

  /** Past the inline limit: decide once the header section ended, or it outgrew {@link #headerWait}. */
  private boolean decisionDue() {
    return headerEnd >= 0 || held > headerWait;
  }

  /** The inline limit is passed: keep everything, or keep the header section and spill the rest. */
  private void decide() {
    Optional<BodySpill> offered = spillSource == null ? Optional.empty() : spillSource.get();
    if (offered == null || offered.isEmpty()) {
      mode = Mode.IN_MEMORY;
      return;
    }
    spill = offered.get();
    if (headerEnd < 0) {
      mode = Mode.HEADER_TOO_LARGE;
      spill.discard();
      spill = null;
      free();
      return;
    }
    byte[] all = inMemory();
    chunks.clear();
    chunks.add(Arrays.copyOf(all, (int) headerEnd));
    current = new byte[0];
    used = 0;
    mode = Mode.SPILLING;
    pending = new byte[firstPendingSize()];
    pend(all, (int) headerEnd, all.length - (int) headerEnd);
  }

  private void pend(byte[] b, int off, int len) {
    while (len > 0 && mode == Mode.SPILLING) {
      int n = Math.min(len, chunkSize - pendingUsed);
      if (pendingUsed + n > pending.length) {
        growPending(pendingUsed + n);
      }
      System.arraycopy(b, off, pending, pendingUsed, n);
      pendingUsed += n;
      off += n;
      len -= n;
      if (pendingUsed == chunkSize) {
        byte[] full = pending;
        pending = new byte[firstPendingSize()];
        pendingUsed = 0;
        emit(full);
      }
    }
  }

  /**
   * The next chunk's first array: small, grown as octets come ({@link #growPending}), so a body of 20 KB past a
   * 16 KB inline limit does not cost a whole 256 KB chunk.
   */
  private int firstPendingSize() {
    return Math.min(chunkSize, FIRST_PENDING);
  }

  /** Room for {@code needed} octets of the chunk being filled: doubles, never past the chunk size. */
  private void growPending(int needed) {
    pending = Arrays.copyOf(pending, Math.min(chunkSize, Math.max(needed, pending.length * 2)));
  }

  private void emit(byte[] chunk) {
    chunkCount++;
    spilledOctets += chunk.length;
    inFlight++;
    CompletionStage<Void> written;
    try {
      written = spill.write(chunk);
    } catch (RuntimeException e) {
      written = CompletableFuture.failedFuture(e);
    }
    if (written == null) {
      written = CompletableFuture.failedFuture(new NullPointerException("spill write answered null"));
    }
    written.whenComplete((ok, e) -> executor.execute(() -> written(e)));
  }

  /** A write completed (on the session's thread). */
  private void written(Throwable e) {
    inFlight--;
    if (e != null) {
      failed(e);
    }
    if (drained != null && inFlight == 0) {
      drained.complete(null);
    }
    progress.run();
  }

  private void failed(Throwable e) {
    if (mode == Mode.SPILLING) {
      failure = e;
      mode = Mode.SPILL_FAILED;
      spill.discard();
      free();
    }
  }

  private void oversize() {
    if (mode == Mode.SPILLING) {
      spill.discard();
    }
    if (mode != Mode.DONE && mode != Mode.SPILL_FAILED && mode != Mode.HEADER_TOO_LARGE) {
      mode = Mode.OVERSIZE;
    }
    free();
  }

  private void free() {
    chunks.clear();
    current = new byte[0];
    used = 0;
    pending = null;
    pendingUsed = 0;
  }

  private byte[] inMemory() {
    int total = used;
    for (byte[] chunk : chunks) {
      total += chunk.length;
    }
    byte[] all = new byte[total];
    int at = 0;
    for (byte[] chunk : chunks) {
      System.arraycopy(chunk, 0, all, at, chunk.length);
      at += chunk.length;
    }
    System.arraycopy(current, 0, all, at, used);
    return all;
  }

  private void store(int b) {
    if (used == current.length) {
      grow();
    }
    current[used++] = (byte) b;
  }

  private void store(byte[] b, int off, int len) {
    while (len > 0) {
      if (used == current.length) {
        grow();
      }
      int n = Math.min(len, current.length - used);
      System.arraycopy(b, off, current, used, n);
      used += n;
      off += n;
      len -= n;
    }
  }

  /** Small messages stay in a small array; large ones move to fixed 64 KB chunks. */
  private void grow() {
    if (current.length == 0) {
      current = new byte[1024];
    } else if (current.length < CHUNK) {
      current = Arrays.copyOf(current, current.length * 4);
    } else {
      chunks.add(current);
      current = new byte[CHUNK];
      used = 0;
    }
  }
}
