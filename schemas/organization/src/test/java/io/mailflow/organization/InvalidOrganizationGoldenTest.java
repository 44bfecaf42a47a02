package io.mailflow.organization;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Golden files: each {@code src/test/resources/invalid/NAME.yaml} must fail to load with exactly the
 * messages in {@code NAME.ref} (one per line, as {@link OrganizationException#getMessage()} prints them).
 * Run with {@code -Dgolden.update=true} to rewrite the .ref files after a deliberate change, then review
 * the diff.
 */
class InvalidOrganizationGoldenTest {
  private static final Path CASES = Path.of("src/test/resources/invalid");

  @TestFactory
  Stream<DynamicTest> everyInvalidFileReportsExactlyItsReferenceErrors() throws IOException {
    List<Path> files;
    try (Stream<Path> listing = Files.list(CASES)) {
      files = listing.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertFalse(files.isEmpty(), "no golden cases in " + CASES.toAbsolutePath());
    return files.stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> check(file)));
  }

  private static void check(Path file) throws IOException {
    String name = file.getFileName().toString();
    Path ref = CASES.resolve(name.replaceFirst("\\.yaml$", ".ref"));
    String yaml = Files.readString(file, StandardCharsets.UTF_8);
    OrganizationException e = assertThrows(OrganizationException.class, () -> OrganizationLoader.parse(yaml, name),
        name + " loaded without errors");
    String got = e.getMessage() + "\n";
    if (Boolean.getBoolean("golden.update")) {
      Files.writeString(ref, got, StandardCharsets.UTF_8);
      return;
    }
    if (!Files.exists(ref)) {
      fail(ref + " missing; got:\n" + got);
    }
    String want = Files.readString(ref, StandardCharsets.UTF_8);
    if (!got.equals(want)) {
      fail(name + ": " + firstDifference(got, want) + "\n--- got:\n" + got + "--- want:\n" + want);
    }
  }

  private static String firstDifference(String got, String want) {
    List<String> g = got.lines().toList();
    List<String> w = want.lines().toList();
    for (int i = 0; i < Math.max(g.size(), w.size()); i++) {
      String gl = i < g.size() ? g.get(i) : "(nothing)";
      String wl = i < w.size() ? w.get(i) : "(nothing)";
      if (!gl.equals(wl)) {
        return "line " + (i + 1) + ": got " + gl + ", want " + wl;
      }
    }
    return "same lines, different line endings";
  }
}
