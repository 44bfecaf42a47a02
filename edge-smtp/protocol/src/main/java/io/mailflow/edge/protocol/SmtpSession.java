package io.mailflow.edge.protocol;

import io.mailflow.smtp.BodyType;
import io.mailflow.smtp.SmtpReply;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * SmtpSession - the server side of one SMTP session as a state machine that knows nothing of
 * sockets. The adapter feeds it the bytes the client sent, split anywhere, and carries out what it
 * asks through {@link SessionOutput}: replies, close, STARTTLS.
 *
 * <p>Input is processed strictly in order: when a message ends, the engine asks
 * {@link SessionHooks#message} to queue it and holds all further (pipelined) input until that
 * answer has been sent, so replies always come in command order.
 *
 * <p>Not thread-safe: every method must be called on one thread (an event loop), and the
 * {@code executor} must run tasks on that same thread; asynchronous answers come back through it.
 */
public final class SmtpSession {

  private enum Mode { NEW, COMMAND, DATA, CHUNK, TLS_HANDSHAKE, CLOSED }

  private final SmtpConfig config;
  private final SessionHooks hooks;
  private final SessionOutput out;
  private final Executor executor;
  private final CommandChain chain = CommandChain.standard();
  private final Context context = new Context();
  private final HeldInput held = new HeldInput();

  private SessionInfo info;
  private Mode mode = Mode.NEW;
  private CommandLineReader lines = new CommandLineReader();
  private int protocolErrors;
  private boolean busy;
  private boolean processing;
  /** Input is held because the spill window is full (not for an answer). */
  private boolean spillHeld;
  /** Where the next line goes instead of the command chain: an AUTH response. */
  private Consumer<String> continuation;
  private int logonFailures;

  // the transaction
  private MailFrom mailFrom;
  private final List<RcptTo> recipients = new ArrayList<>();
  private boolean chunking;
  private MessageBuffer buffer;

  // content being read
  private DataReader data;
  private ChunkReader chunk;
  private long chunkSize;
  private boolean chunkLast;
  private SmtpReply chunkRefusal;
  private boolean chunkRefusalIsError;

  /**
   * @param executor runs asynchronous completions on the session's thread
   *     (for Vert.x: {@code r -> context.runOnContext(v -> r.run())})
   */
  public SmtpSession(SmtpConfig config, SessionHooks hooks, SessionOutput output, SessionInfo info,
      Executor executor) {
    this.config = config;
    this.hooks = hooks;
    this.out = output;
    this.info = info;
    this.executor = executor;
  }

  /** Sends the greeting (or the connect hook's refusal, then closes). Call once, first. */
  public void start() {
    if (mode != Mode.NEW) {
      throw new IllegalStateException("session " + info.sessionId() + " already started");
    }
    mode = Mode.COMMAND;
    HookResult verdict;
    try {
      verdict = hooks.connect(info);
    } catch (RuntimeException e) {
      verdict = HookResult.denySoft(SmtpReply.of(421, "4.3.2", "Service not available, closing transmission channel"));
    }
    if (verdict.accepted()) {
      send(config.greeting());
    } else {
      send(verdict.reply());
      close();
    }
  }

  /** The client sent these bytes. */
  public void feed(byte[] bytes) {
    feed(bytes, 0, bytes.length);
  }

  /** The client sent {@code len} bytes of {@code bytes} from {@code off}. */
  public void feed(byte[] bytes, int off, int len) {
    if (mode == Mode.NEW) {
      throw new IllegalStateException("start() the session before feeding it");
    }
    if (!open()) {
      return; // after close, or before the TLS handshake: dropped on purpose
    }
    if (busy || !held.isEmpty()) {
      held.append(bytes, off, len);
      drain();
      return;
    }
    int used = process(bytes, off, off + len);
    if (open() && used < off + len) {
      held.append(bytes, used, off + len - used);
    }
  }

  /** The TLS handshake the engine asked for succeeded: the client must greet again. */
  public void tlsStarted() {
    if (mode != Mode.TLS_HANDSHAKE) {
      throw new IllegalStateException("no STARTTLS in progress in session " + info.sessionId());
    }
    info = info.afterTls();
    resetTransaction();
    lines = new CommandLineReader();
    mode = Mode.COMMAND;
  }

  /** The client was idle for too long: 421 and close. */
  public void timedOut() {
    if (open() || mode == Mode.TLS_HANDSHAKE) {
      send(Replies.TIMED_OUT);
    }
  }

  /** The connection is gone: drop the transaction and anything half-received. No output follows. */
  public void disconnected() {
    mode = Mode.CLOSED;
    held.clear();
    resetTransaction();
  }

  /** Whether the engine waits for an asynchronous answer (the client is not the one idle then). */
  public boolean isBusy() {
    return busy;
  }

  public boolean isClosed() {
    return mode == Mode.CLOSED;
  }

  /** The session as it is now. */
  public SessionInfo info() {
    return info;
  }

  /** The verbs this engine answers, in the order its handler chain lists them. */
  public static List<String> verbs() {
    return CommandChain.standard().verbs();
  }

  // ---- input

  private boolean open() {
    return mode == Mode.COMMAND || mode == Mode.DATA || mode == Mode.CHUNK;
  }

  /** Processes bytes until they run out, the session waits, or it stops reading; returns the index reached. */
  private int process(byte[] b, int from, int to) {
    processing = true;
    try {
      int i = from;
      while (i < to && !busy && open()) {
        switch (mode) {
          case COMMAND -> {
            i = lines.consume(b, i, to);
            Consumer<String> response = continuation;
            if (lines.event() != CommandLineReader.Event.NONE) {
              continuation = null; // a bad line ends the exchange too
            }
            switch (lines.event()) {
              case LINE -> {
                if (response != null) {
                  out.commandReceived(REDACTED); // an AUTH response: credentials never reach the log
                  response.accept(lines.line());
                } else {
                  dispatch(lines.line());
                }
              }
              case TOO_LONG -> protocolError(Replies.LINE_TOO_LONG);
              case BARE_NEWLINE -> protocolError(Replies.BARE_NEWLINE_IN_COMMAND);
              case NONE -> { }
              default -> throw new IllegalStateException(lines.event().name());
            }
          }
          case DATA -> {
            i = data.consume(b, i, to);
            if (data.finished()) {
              endData();
            } else if (buffer.blocked()) {
              holdForSpill();
            }
          }
          case CHUNK -> {
            i = chunk.consume(b, i, to);
            if (chunk.finished()) {
              endChunk();
            } else if (buffer != null && buffer.blocked()) {
              holdForSpill();
            }
          }
          default -> throw new IllegalStateException(mode.name());
        }
      }
      return i;
    } finally {
      processing = false;
    }
  }

  /** Processes held input until it runs out or the session waits again. */
  private void drain() {
    while (!busy && open() && !held.isEmpty()) {
      held.consumedTo(process(held.array(), held.start(), held.end()));
    }
    if (!open()) {
      held.clear();
    }
  }

  private void dispatch(String line) {
    int space = line.indexOf(' ');
    String verb = (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
    String argument = space < 0 ? "" : line.substring(space + 1);
    out.commandReceived(verb.equals("AUTH") ? redactedAuth(argument) : line);
    CommandHandler handler = chain.find(verb);
    if (handler == null) {
      protocolError(Replies.unrecognizedCommand(verb));
      return;
    }
    try {
      handler.handle(context, verb, argument);
    } catch (RuntimeException e) {
      // a failing hook must not take the connection down nor leave a half transaction
      resetTransaction();
      send(Replies.LOCAL_ERROR);
    }
  }

  /** What the protocol log gets instead of credentials. */
  static final String REDACTED = "****";

  /** AUTH carries credentials: the protocol log gets the mechanism only, never the response. */
  private static String redactedAuth(String argument) {
    String[] words = argument.strip().split(" +", 2);
    return "AUTH " + words[0] + (words.length > 1 ? " " + REDACTED : "");
  }

  // ---- content

  private void endData() {
    DataReader reader = data;
    data = null;
    mode = Mode.COMMAND;
    SmtpReply refusal = reader.sawBareNewline() ? Replies.BARE_NEWLINE_IN_DATA : contentRefusal();
    if (refusal != null) {
      resetTransaction(); // discards the spill
      send(refusal);
    } else if (buffer.spilling()) {
      settleSpill(false);
    } else {
      deliver(false);
    }
  }

  /** Why the content read so far cannot be queued, or null. */
  private SmtpReply contentRefusal() {
    if (buffer.exceeded()) {
      return Replies.SIZE_EXCEEDED;
    }
    if (buffer.headerTooLarge()) {
      return Replies.HEADER_TOO_LARGE;
    }
    if (buffer.longLine()) {
      return Replies.LINE_TOO_LONG_IN_CONTENT;
    }
    Throwable failure = buffer.spillFailure();
    return failure == null ? null : spillFailedReply(failure);
  }

  private SmtpReply spillFailedReply(Throwable failure) {
    try {
      SmtpReply reply = hooks.spillFailed(info, failure);
      return reply == null ? Replies.LOCAL_ERROR : reply;
    } catch (RuntimeException e) {
      return Replies.LOCAL_ERROR;
    }
  }

  /** The content ended while spilling: wait until every chunk is stored, then queue (or refuse). */
  private void settleSpill(boolean chunked) {
    MessageBuffer spilling = buffer;
    awaitAnswer(spilling.settle(), (ok, failure) -> {
      Throwable cause = failure != null ? failure : spilling.spillFailure();
      if (cause != null) {
        SmtpReply refusal = spillFailedReply(cause);
        resetTransaction();
        send(refusal);
        resume();
      } else {
        deliver(chunked);
      }
    });
  }

  /** The spill window is full: stop reading until a write completes. */
  private void holdForSpill() {
    spillHeld = true;
    busy = true;
    out.inputHeld(true);
  }

  /** A spill write completed (on the session's thread): read on if the window has room again. */
  private void spillProgress() {
    if (spillHeld && mode != Mode.CLOSED && (buffer == null || !buffer.blocked())) {
      spillHeld = false;
      resume();
    }
  }

  private MessageBuffer newBuffer(boolean checkLines) {
    return new MessageBuffer(config.maxMessageSize(), traceHeader(), config.inlineBodyLimit(),
        config.spillChunkSize(), config.spillWindow(), checkLines, this::offerSpill, executor, this::spillProgress);
  }

  private Optional<BodySpill> offerSpill() {
    try {
      Optional<BodySpill> spill = hooks.spill(info, new SmtpEnvelope(mailFrom, recipients));
      return spill == null ? Optional.empty() : spill;
    } catch (RuntimeException e) {
      return Optional.empty(); // a failing hook: keep the message in memory, bounded by the size limit
    }
  }

  private void endChunk() {
    chunk = null;
    mode = Mode.COMMAND;
    if (chunkRefusal != null) {
      SmtpReply refusal = chunkRefusal;
      chunkRefusal = null;
      if (chunkRefusalIsError) {
        protocolError(refusal);
      } else {
        send(refusal);
      }
    } else if (contentRefusal() != null) {
      SmtpReply refusal = contentRefusal();
      resetTransaction(); // later chunks of this message get 503: there is no transaction any more
      send(refusal);
    } else if (!chunkLast) {
      send(Replies.chunkReceived(chunkSize));
    } else if (buffer.spilling()) {
      settleSpill(true);
    } else {
      deliver(true);
    }
  }

  /** Hands the finished message over and waits for its reply; the transaction ends either way. */
  private void deliver(boolean chunked) {
    ReceivedMessage message = new ReceivedMessage(info, new SmtpEnvelope(mailFrom, recipients),
        buffer.finish(), chunked);
    buffer = null; // handed over: resetting the transaction must not discard its spill
    resetTransaction();
    CompletionStage<SmtpReply> answer;
    try {
      answer = hooks.message(message);
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    if (answer == null) {
      answer = CompletableFuture.failedFuture(new NullPointerException("message hook answered null"));
    }
    awaitAnswer(answer, (reply, failure) -> {
      // if the client left meanwhile this is not called: it never saw a 250, so it still owns the message
      send(failure != null || reply == null ? Replies.LOCAL_ERROR : reply);
      resume();
    });
  }

  /**
   * Holds all input until {@code answer} completes, then runs {@code then} on the session's thread
   * (unless the session was closed meanwhile). {@code then} must end with {@link #resume()} or close.
   */
  private <T> void awaitAnswer(CompletionStage<T> answer, BiConsumer<T, Throwable> then) {
    busy = true;
    out.inputHeld(true);
    answer.whenComplete((value, failure) -> executor.execute(() -> {
      if (mode != Mode.CLOSED) {
        then.accept(value, failure);
      }
    }));
  }

  /** The answer was sent: read on, starting with input that arrived meanwhile. */
  private void resume() {
    busy = false;
    out.inputHeld(false);
    if (!processing) {
      drain();
    }
  }

  // ---- AUTH

  private void authenticate(String mechanism, String user, char[] password) {
    CompletionStage<Optional<String>> answer;
    try {
      answer = hooks.authenticate(info, mechanism, user, password);
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    if (answer == null) {
      answer = CompletableFuture.failedFuture(new NullPointerException("authenticate hook answered null"));
    }
    awaitAnswer(answer, (identity, failure) -> {
      if (failure != null || identity == null) {
        send(Replies.AUTH_TEMPORARY_FAILURE);
        resume();
      } else if (identity.isPresent()) {
        info = info.withAuthenticated(identity.get());
        send(Replies.AUTH_SUCCEEDED);
        resume();
      } else if (config.maxLogonFailures() > 0 && ++logonFailures >= config.maxLogonFailures()) {
        // too many guesses: hold the reply back (tarpit), then drop the session; input stays held
        out.tarpit(config.tarpitInterval(), () -> {
          send(Replies.AUTH_FAILED);
          close();
        });
      } else {
        send(Replies.AUTH_FAILED);
        resume();
      }
    });
  }

  // ---- output

  private void send(SmtpReply reply) {
    if (mode == Mode.CLOSED) {
      return;
    }
    out.send(reply);
    if (reply.closesSession()) {
      close();
    }
  }

  private void close() {
    if (mode == Mode.CLOSED) {
      return;
    }
    mode = Mode.CLOSED;
    held.clear();
    resetTransaction();
    out.close();
  }

  private void protocolError(SmtpReply reply) {
    send(reply);
    if (++protocolErrors >= config.maxProtocolErrors()) {
      send(Replies.TOO_MANY_ERRORS);
    }
  }

  private void resetTransaction() {
    mailFrom = null;
    recipients.clear();
    chunking = false;
    if (buffer != null) {
      buffer.abandon(); // a message not handed over: its spill is discarded
    }
    buffer = null;
  }

  private byte[] traceHeader() {
    byte[] header = hooks.traceHeader(info, new SmtpEnvelope(mailFrom, recipients));
    return header == null ? new byte[0] : header;
  }

  /** What handlers see of the session. */
  private final class Context implements SessionContext {

    @Override
    public SmtpConfig config() {
      return config;
    }

    @Override
    public SessionHooks hooks() {
      return hooks;
    }

    @Override
    public SessionInfo info() {
      return info;
    }

    @Override
    public void greeted(String name, boolean esmtp) {
      info = info.withHelo(name, esmtp);
      resetTransaction();
    }

    @Override
    public MailFrom mailFrom() {
      return mailFrom;
    }

    @Override
    public List<RcptTo> recipients() {
      return recipients;
    }

    @Override
    public boolean chunking() {
      return chunking;
    }

    @Override
    public void beginTransaction(MailFrom from) {
      resetTransaction();
      mailFrom = from;
    }

    @Override
    public void addRecipient(RcptTo rcpt) {
      recipients.add(rcpt);
    }

    @Override
    public void resetTransaction() {
      SmtpSession.this.resetTransaction();
    }

    @Override
    public void reply(SmtpReply reply) {
      send(reply);
    }

    @Override
    public void protocolError(SmtpReply reply) {
      SmtpSession.this.protocolError(reply);
    }

    @Override
    public boolean allowed(Supplier<HookResult> hook) {
      HookResult verdict = hook.get();
      if (verdict.accepted()) {
        return true;
      }
      send(verdict.reply());
      return false;
    }

    @Override
    public void beginData() {
      MessageBuffer content = newBuffer(true);
      send(Replies.START_MAIL_INPUT);
      buffer = content;
      data = new DataReader(content);
      mode = Mode.DATA;
    }

    @Override
    public void beginChunk(long size, boolean last) {
      if (!chunking) {
        // RFC 5322 2.1.1 holds for BDAT content too, except BINARYMIME, which has no lines
        buffer = newBuffer(mailFrom.bodyType() != BodyType.BINARY_MIME);
        chunking = true;
      }
      readChunk(new ChunkReader(buffer, size), size, last, null, false);
    }

    @Override
    public void discardChunk(long size, SmtpReply reply, boolean isProtocolError) {
      readChunk(new ChunkReader(null, size), size, false, reply, isProtocolError);
    }

    @Override
    public void challenge(SmtpReply challenge, Consumer<String> response) {
      send(challenge);
      continuation = response;
    }

    @Override
    public void authenticate(String mechanism, String user, char[] password) {
      SmtpSession.this.authenticate(mechanism, user, password);
    }

    @Override
    public void startTls() {
      mode = Mode.TLS_HANDSHAKE;
      held.clear();
      out.startTls(Replies.READY_TO_START_TLS);
    }

    private void readChunk(ChunkReader reader, long size, boolean last, SmtpReply refusal, boolean isError) {
      chunk = reader;
      chunkSize = size;
      chunkLast = last;
      chunkRefusal = refusal;
      chunkRefusalIsError = isError;
      mode = Mode.CHUNK;
      if (reader.finished()) {
        endChunk(); // BDAT 0: nothing to read
      }
    }
  }
}
