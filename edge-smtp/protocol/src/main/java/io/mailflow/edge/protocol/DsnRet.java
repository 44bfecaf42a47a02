package io.mailflow.edge.protocol;

/** DsnRet - RFC 3461 RET: return the full message or only its headers in a failure DSN. */
public enum DsnRet { FULL, HDRS }
