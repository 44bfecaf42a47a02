package io.mailflow.dsn;

/**
 * NotifyOn - transitional twin of {@link io.mailflow.smtp.Notify}, kept only because the categorizer still
 * names it ({@link DsnPolicy#allows(String, java.util.Collection, DsnAction)}); remove both once it uses
 * {@code Notify}.
 */
public enum NotifyOn { NEVER, SUCCESS, FAILURE, DELAY }
