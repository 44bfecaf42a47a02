package io.mailflow.kafka.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaExceptionTest {
    @Test
    void aMultiLineCauseBecomesOnePhrase() {
        assertEquals("IOException: first line second line",
                EmbeddedKafkaException.reason(new IOException("first line\n  second line\r\n")));
    }

    @Test
    void aCauseWithoutMessageIsNamedByItsType() {
        assertEquals("IOException", EmbeddedKafkaException.reason(new IOException()));
    }
}
