package io.mailflow.cli;

import io.mailflow.organization.OrganizationLoader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * ArchiveTraining - the training start behind the jar's class-data archive ({@link Launcher#ARCHIVE}), run at
 * package time under {@code -XX:ArchiveClassesAtExit}: {@code mailflow run} with the demo organization (on free
 * ports, a fresh data dir under the given work dir) until it greets, one SMTP session (EHLO, QUIT), then a stop as
 * after a SIGTERM. The JVM writes every class it loaded meanwhile to the archive as it exits.
 *
 * <p>Usage: {@code java -XX:ArchiveClassesAtExit=mailflow.jsa -cp mailflow.jar io.mailflow.cli.ArchiveTraining
 * <work-dir>}. Exits 0 after a clean stop, 1 when {@code run} failed or did not greet within {@link #TIMEOUT_SECONDS}.
 */
public final class ArchiveTraining {
  static final long TIMEOUT_SECONDS = 120;

  /** Set once the node greeted: the run's end is then the stop this class asked for. */
  private static volatile boolean greeted;

  private ArchiveTraining() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: ArchiveTraining <work-dir>");
      System.exit(2);
    }
    Path work = Path.of(args[0]).toAbsolutePath();
    Path data = work.resolve("data");
    deleteTree(data);
    Files.createDirectories(work);
    int smtp = freePort();
    int submission = freePort();
    Path org = work.resolve("organization.yaml");
    Files.writeString(org, OrganizationLoader.demoYaml().replace("127.0.0.1:2525", "127.0.0.1:" + smtp)
        .replace("127.0.0.1:2587", "127.0.0.1:" + submission));
    String[] run = {"run", "--config", org.toString(), "--data-dir", data.toString(), "--kafka-port", "0",
        "--admin-port", "0"};
    Thread main = new Thread(() -> {
      LogFile.configure(run);
      io.mailflow.schemas.codec.AvroCodec.trustGeneratedClasses();
      int code = Mailflow.commandLine().execute(run);
      if (greeted) {
        return;
      }
      System.err.println("ArchiveTraining: run ended with exit code " + code + " before it greeted");
      Runtime.getRuntime().halt(1);
    }, "archive-training-run");
    main.setDaemon(true);
    main.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
    while (!session(smtp)) {
      if (System.nanoTime() > deadline) {
        System.err.println("ArchiveTraining: no 220 on 127.0.0.1:" + smtp + " within " + TIMEOUT_SECONDS + " s");
        System.exit(1);
      }
      Thread.sleep(100);
    }
    greeted = true;
    System.exit(0); // the shutdown hook stops the node as a SIGTERM would
  }

  /** One SMTP session: the greeting, EHLO, QUIT; false when nobody greets yet. */
  private static boolean session(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      s.setSoTimeout(10_000);
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      if (!readReply(in).startsWith("220")) {
        return false;
      }
      out.write("EHLO training.invalid\r\n".getBytes(StandardCharsets.US_ASCII));
      readReply(in);
      out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
      readReply(in);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** A whole (multi-line) reply. */
  private static String readReply(InputStream in) throws IOException {
    StringBuilder reply = new StringBuilder();
    StringBuilder line = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        reply.append(line).append('\n');
        if (line.length() < 4 || line.charAt(3) != '-') {
          break;
        }
        line.setLength(0);
      } else if (c != '\r') {
        line.append((char) c);
      }
    }
    return reply.toString();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (var paths = Files.walk(root)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
