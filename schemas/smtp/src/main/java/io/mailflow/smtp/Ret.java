package io.mailflow.smtp;

/** Ret - the RFC 3461 RET parameter of MAIL FROM: a failure DSN returns the full message or only its headers. */
public enum Ret { FULL, HDRS }
