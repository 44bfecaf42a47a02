package io.mailflow.edge.protocol;

/** DsnNotify - RFC 3461 NOTIFY keywords of one recipient; NEVER stands alone. */
public enum DsnNotify { NEVER, SUCCESS, FAILURE, DELAY }
