package io.mailflow.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * SmtpSink - Postfix's smtp-sink, a real independent SMTP server, dumping each message it receives to a
 * file. Absent where Postfix is not installed (CI installs it with ops/ci/install-test-peers.sh).
 */
final class SmtpSink implements AutoCloseable {
  static final Path BINARY = Stream.of("/usr/sbin/smtp-sink", "/usr/bin/smtp-sink")
      .map(Path::of).filter(Files::isExecutable).findFirst().orElse(null);

  final int port;
  final Path dumps;
  private final Process process;

  private SmtpSink(int port, Path dumps, Process process) {
    this.port = port;
    this.dumps = dumps;
    this.process = process;
  }

  static boolean installed() {
    return BINARY != null;
  }

  /** Starts a sink dumping into a fresh directory of its own (smtp-sink runs as nobody: it must reach it). */
  static SmtpSink start() throws IOException, InterruptedException {
    int port = TestPorts.free();
    Path dumps = Files.createTempDirectory("mailflow-smtp-sink");
    Files.setPosixFilePermissions(dumps, PosixFilePermissions.fromString("rwxrwxrwx"));
    List<String> command = new ArrayList<>(List.of(BINARY.toString()));
    if ("root".equals(System.getProperty("user.name"))) {
      command.addAll(List.of("-u", "nobody")); // smtp-sink refuses to run as root otherwise
    }
    command.addAll(List.of("-d", dumps + "/%M.", "127.0.0.1:" + port, "10"));
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dumps.resolve("smtp-sink.log").toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return new SmtpSink(port, dumps, process);
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    process.destroy();
    throw new IOException("smtp-sink did not listen on 127.0.0.1:" + port);
  }

  List<Path> messages() throws IOException {
    try (Stream<Path> files = Files.list(dumps)) {
      return files.filter(p -> !p.getFileName().toString().equals("smtp-sink.log")).toList();
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    process.destroy();
    process.waitFor(10, TimeUnit.SECONDS);
    try (Stream<Path> files = Files.list(dumps)) {
      for (Path file : files.toList()) {
        Files.deleteIfExists(file);
      }
    }
    Files.deleteIfExists(dumps);
  }
}
