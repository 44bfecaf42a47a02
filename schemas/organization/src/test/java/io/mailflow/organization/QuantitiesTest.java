package io.mailflow.organization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class QuantitiesTest {

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"37748736|37748736", "36MB|37748736", "36 mb|37748736", "256KB|262144",
      "1GB|1073741824", "1.5KB|1536", "100B|100", "36 MB (37,748,736 bytes)|37748736"})
  void sizesUseBinaryUnitsAsExchangeDoes(String text, long bytes) {
    assertEquals(bytes, Quantities.bytes(text));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"600|600", "30s|30", "10m|600", "1h|3600", "1h30m|5400", "2d|172800",
      "00:10:00|600", "1.00:00:00|86400"})
  void durationsAcceptUnitsAndExchangeTimeSpans(String text, long seconds) {
    assertEquals(seconds, Quantities.seconds(text));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "36XB|expected a size such as 36MB, 256KB, 1GB or a number of bytes, got '36XB'",
      "0.5B|size '0.5B' is not a whole number of bytes",
      "99999999999TB|size '99999999999TB' is too large"})
  void badSizesAreExplained(String text, String message) {
    assertEquals(message, assertThrows(IllegalArgumentException.class, () -> Quantities.bytes(text)).getMessage());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "soon|expected a duration such as 30s, 10m, 1h, 00:10:00 or a number of seconds, got 'soon'",
      "00:61:00|time span '00:61:00' has hours above 23 or minutes/seconds above 59",
      "9999999999999999d|duration '9999999999999999d' is too large"})
  void badDurationsAreExplained(String text, String message) {
    assertEquals(message, assertThrows(IllegalArgumentException.class, () -> Quantities.seconds(text)).getMessage());
  }
}
