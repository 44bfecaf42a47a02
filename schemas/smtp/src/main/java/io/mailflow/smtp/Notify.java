package io.mailflow.smtp;

/**
 * Notify - one RFC 3461 NOTIFY keyword a client gave with RCPT TO. NEVER stands alone; no keyword at
 * all means FAILURE,DELAY (RFC 3461 4.1).
 */
public enum Notify { NEVER, SUCCESS, FAILURE, DELAY }
