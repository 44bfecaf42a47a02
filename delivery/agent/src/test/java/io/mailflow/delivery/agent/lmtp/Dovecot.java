package io.mailflow.delivery.agent.lmtp;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Dovecot - a real Dovecot (Debian dovecot-core + dovecot-lmtpd) for tests, in the foreground as the
 * current user, with everything under one directory: base_dir, log, an LMTP listener on a free loopback
 * port, and a passwd-file userdb (users listed exist, others get 550 5.1.1; a user may have its own
 * mail location). Mail is accessed as the current user, except as root, which Dovecot refuses for mail
 * ("Mail access not allowed for root"): then as nobody (65534), and the directories it writes are
 * handed to nobody. Missing Dovecot skips the test on a developer's machine and fails it when CI is set.
 */
final class Dovecot implements AutoCloseable {

  static final Path BINARY = Path.of("/usr/sbin/dovecot");
  static final Path DOVEADM = Path.of("/usr/bin/doveadm");
  static final int NOBODY = 65534;

  private final Process process;
  private final Path dir;
  private final Path config;
  private final int port;

  private Dovecot(Process process, Path dir, Path config, int port) {
    this.process = process;
    this.dir = dir;
    this.config = config;
    this.port = port;
  }

  /** As edge-smtp/server's ClientProcess.require: skip locally, fail on CI. */
  static void require() {
    boolean present = Files.isExecutable(BINARY) && Files.isExecutable(DOVEADM)
        && Files.exists(Path.of("/usr/lib/dovecot/lmtp"));
    if (present) {
      return;
    }
    String why = "Dovecot is not installed (dovecot-core, dovecot-lmtpd; ops/ci/install-test-peers.sh installs them)";
    String ci = System.getenv("CI");
    if (ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false")) {
      fail(why + ", and CI is set: the interop tests must run on CI");
    }
    Assumptions.abort(why);
  }

  static boolean root() {
    return "root".equals(System.getProperty("user.name"));
  }

  /**
   * Starts Dovecot with its files under {@code dir}; {@code users} are passwd-file lines
   * ({@code user:::::::userdb_mail=...}); default mail location {@code dir/mail/%u/Maildir}.
   */
  static Dovecot start(Path dir, List<String> users) throws Exception {
    require();
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    Files.createDirectories(dir.resolve("run"));
    Files.createDirectories(dir.resolve("mail"));
    Files.write(dir.resolve("users"), users);
    String user = System.getProperty("user.name");
    String group = new String(new ProcessBuilder("id", "-gn").start().getInputStream().readAllBytes()).strip();
    String mailUser = root() ? "mail_uid = " + NOBODY + "\nmail_gid = " + NOBODY + "\n" : "";
    String conf = """
        base_dir = %1$s/run
        state_dir = %1$s/state
        log_path = %1$s/dovecot.log
        protocols = lmtp
        ssl = no
        listen = 127.0.0.1
        # run every process as the user we are (no dovecot/dovenull accounts needed)
        default_internal_user = %2$s
        default_internal_group = %3$s
        default_login_user = %2$s
        %4$smail_location = maildir:%1$s/mail/%%u/Maildir
        passdb {
          driver = passwd-file
          args = %1$s/users
        }
        userdb {
          driver = passwd-file
          args = %1$s/users
        }
        service lmtp {
          inet_listener lmtp {
            address = 127.0.0.1
            port = %5$d
          }
        }
        service anvil {
          chroot =
        }
        """.formatted(dir, user, group, mailUser, port);
    Path config = dir.resolve("dovecot.conf");
    Files.writeString(config, conf);
    if (root()) {
      giveToMailUser(dir.resolve("mail"));
      openPath(dir);
    }
    Process process = new ProcessBuilder(BINARY.toString(), "-F", "-c", config.toString()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("dovecot.out").toFile()).start();
    Dovecot dovecot = new Dovecot(process, dir, config, port);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        return dovecot;
      } catch (IOException notYet) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          dovecot.close();
          throw new IllegalStateException("Dovecot did not start: " + Files.readString(dir.resolve("dovecot.out"))
              + (Files.exists(dir.resolve("dovecot.log")) ? Files.readString(dir.resolve("dovecot.log")) : ""));
        }
        Thread.sleep(50); // polling a port: nothing to await on
      }
    }
  }

  int port() {
    return port;
  }

  /** Lets the mail user (nobody, as root) traverse to {@code dir}: JUnit's temp directories are 0700. */
  static void openPath(Path dir) throws IOException {
    for (Path p = dir; p != null && !p.equals(p.getRoot()); p = p.getParent()) {
      if (p.startsWith(System.getProperty("java.io.tmpdir"))) {
        Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
      }
    }
  }

  /** As root: hands {@code tree} to nobody, the mail user (ownership only; contents unchanged). */
  static void giveToMailUser(Path tree) throws IOException {
    if (!root()) {
      return;
    }
    try (Stream<Path> all = Files.walk(tree)) {
      for (Path p : all.toList()) {
        Files.setAttribute(p, "unix:uid", NOBODY);
        Files.setAttribute(p, "unix:gid", NOBODY);
      }
    }
  }

  /** Runs doveadm with this config; returns its output (fails on a non-zero exit). */
  String doveadm(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(DOVEADM.toString(), "-c", config.toString()));
    command.addAll(List.of(args));
    Path out = Files.createTempFile(dir, "doveadm", ".out");
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("doveadm timed out: " + command);
    }
    String text = Files.readString(out);
    if (p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " exited " + p.exitValue() + ": " + text);
    }
    return text;
  }

  String log() throws IOException {
    Path log = dir.resolve("dovecot.log");
    return Files.exists(log) ? Files.readString(log) : "";
  }

  /** Stops the master we started (by its PID) and waits for it. */
  @Override
  public void close() throws Exception {
    process.destroy(); // SIGTERM to the master, which stops its children
    if (!process.waitFor(15, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(5, TimeUnit.SECONDS);
    }
  }
}
