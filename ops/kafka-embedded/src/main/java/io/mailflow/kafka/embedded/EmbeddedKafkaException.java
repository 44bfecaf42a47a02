package io.mailflow.kafka.embedded;

/** Why an embedded broker could not start, in one line an operator can act on. */
public final class EmbeddedKafkaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public EmbeddedKafkaException(String message) {
        super(message);
    }

    public EmbeddedKafkaException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A cause as a short phrase for the end of a message: its type and its message, kept on one line. */
    static String reason(Throwable cause) {
        String message = cause.getMessage();
        String type = cause.getClass().getSimpleName();
        if (message == null || message.isBlank()) {
            return type;
        }
        return type + ": " + message.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
