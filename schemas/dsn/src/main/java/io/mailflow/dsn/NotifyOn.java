package io.mailflow.dsn;

/** NotifyOn - one value of the RFC 3461 NOTIFY parameter a client gave with RCPT TO. */
public enum NotifyOn { NEVER, SUCCESS, FAILURE, DELAY }
