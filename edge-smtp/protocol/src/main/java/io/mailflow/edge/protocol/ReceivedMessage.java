package io.mailflow.edge.protocol;

/**
 * ReceivedMessage - a complete message the client finished sending (end of DATA or BDAT LAST),
 * handed to {@link SessionHooks#message} to be queued.
 *
 * @param session the session as it was when the message ended
 * @param envelope sender and accepted recipients
 * @param content trace header plus the message as sent, dot-unstuffed
 * @param chunked whether it arrived by BDAT (CHUNKING) rather than DATA
 */
public record ReceivedMessage(SessionInfo session, SmtpEnvelope envelope, MessageContent content,
    boolean chunked) {}
