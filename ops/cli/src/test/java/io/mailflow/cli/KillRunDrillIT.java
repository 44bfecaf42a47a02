package io.mailflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The short form of ops/chaos/kill-run.sh, run with the tests: `mailflow run` in a child JVM under SMTP load,
 * kill -9 at a random moment, launched again on the same data dir; every message that got 250 must be in its
 * mailbox exactly once. The long drills (20 trials, role kills, broker outage, 3-broker cluster) are
 * ops/chaos/*.sh.
 */
class KillRunDrillIT {
  private static final List<String> MAILBOXES = List.of("alice@contoso.test", "bob@contoso.test");
  private static final Duration START = Duration.ofSeconds(120);
  /** Acknowledged mail must be delivered within this long of the relaunch (recovery + drain). */
  private static final Duration SETTLE = Duration.ofSeconds(150);

  @TempDir Path work;

  @Test
  void killMinus9UnderLoadLosesNothingAcknowledgedAndDeliversNothingTwice() throws Exception {
    int smtpPort = TestPorts.free();
    Path org = work.resolve("org.yaml");
    Files.writeString(org, MailflowRunIT.organizationYaml(smtpPort, 1));
    Path data = work.resolve("data");
    Map<String, Set<String>> acked = new ConcurrentHashMap<>(); // Message-ID -> recipients, per 250 after DATA

    Process first = launch(org, data, work.resolve("run-1.log"), smtpPort);
    Process second = null;
    Sender sender = new Sender(smtpPort, acked);
    Thread load = new Thread(sender, "drill-load");
    load.start();
    try {
      awaitAcked(acked, 10, first, work.resolve("run-1.log"));
      Thread.sleep(ThreadLocalRandom.current().nextLong(0, 1500)); // a random moment: mid-transaction or not
      first.destroyForcibly(); // SIGKILL
      first.waitFor();
      int atKill = acked.size();

      second = launch(org, data, work.resolve("run-2.log"), smtpPort);
      awaitAcked(acked, atKill + 5, second, work.resolve("run-2.log")); // the relaunched edge answers 250 again
    } catch (Exception | Error e) {
      if (second != null) {
        second.destroyForcibly();
      }
      throw e;
    } finally {
      sender.stop.set(true);
      load.join(Duration.ofSeconds(60).toMillis());
    }
    try {
      Census census = awaitDelivered(data, acked);
      assertTrue(acked.size() >= 15, "the load got 250s before and after the kill: " + acked.size());
      assertEquals(Map.of(), census.lost(acked), "acknowledged but not delivered, per mailbox");
      assertEquals(Map.of(), census.duplicated(), "delivered more than once to a mailbox");
    } finally {
      second.destroy();
      second.waitFor();
    }
  }

  @Test
  void theCensusSeesAPlantedDuplicateAndAPlantedLoss() throws Exception {
    Path fresh = work.resolve("store/DB01/alice@contoso.test/Maildir/new");
    Files.createDirectories(fresh);
    Files.writeString(fresh.resolve("1"), "From: a@b\r\nMessage-ID: <one@x>\r\n\r\nbody\r\n");
    Files.copy(fresh.resolve("1"), fresh.resolve("1.copy"));
    Files.writeString(fresh.resolve("2"), "Subject: no id\r\n\r\nMessage-ID: <in the body@x>\r\n");
    Census census = Census.of(work.resolve("store"));
    assertEquals(Map.of("alice@contoso.test", Set.of("<one@x> x2")), census.duplicated());
    assertEquals(Map.of("alice@contoso.test", Set.of("<two@x>")),
        census.lost(Map.of("<one@x>", Set.of("alice@contoso.test"), "<two@x>", Set.of("alice@contoso.test"))));
  }

  private static Process launch(Path org, Path data, Path log, int smtpPort) throws Exception {
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
        "-cp", System.getProperty("java.class.path"), Mailflow.class.getName(),
        "run", "--config", org.toString(), "--data-dir", data.toString(), "--kafka-port", "0", "--no-admin")
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    long deadline = System.nanoTime() + START.toNanos();
    while (!greets(smtpPort)) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        p.destroyForcibly();
        throw new AssertionError("mailflow run did not greet on " + smtpPort + ":\n" + Files.readString(log));
      }
      Thread.sleep(100);
    }
    return p;
  }

  private static boolean greets(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      s.setSoTimeout(5000);
      InputStream in = s.getInputStream();
      byte[] b = new byte[3];
      return in.readNBytes(b, 0, 3) == 3 && new String(b, StandardCharsets.US_ASCII).equals("220");
    } catch (IOException e) {
      return false;
    }
  }

  private static void awaitAcked(Map<String, Set<String>> acked, int count, Process run, Path log) throws Exception {
    long deadline = System.nanoTime() + START.toNanos();
    while (acked.size() < count) {
      if (!run.isAlive() || System.nanoTime() > deadline) {
        throw new AssertionError(acked.size() + " of " + count + " messages acknowledged; mailflow run "
            + (run.isAlive() ? "is up" : "exited") + ":\n" + Files.readString(log));
      }
      Thread.sleep(50);
    }
  }

  private static Census awaitDelivered(Path data, Map<String, Set<String>> acked) throws Exception {
    long deadline = System.nanoTime() + SETTLE.toNanos();
    Census census = Census.of(data.resolve(MailStoreOption.DEFAULT_SUBDIR));
    while (!census.lost(acked).isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(250);
      census = Census.of(data.resolve(MailStoreOption.DEFAULT_SUBDIR));
    }
    return census;
  }

  /** One SMTP client sending until stopped, reconnecting after every failure; records what got 250. */
  private static final class Sender implements Runnable {
    final AtomicBoolean stop = new AtomicBoolean();
    private final int port;
    private final Map<String, Set<String>> acked;
    private final AtomicInteger seq = new AtomicInteger();

    Sender(int port, Map<String, Set<String>> acked) {
      this.port = port;
      this.acked = acked;
    }

    @Override
    public void run() {
      Properties props = new Properties();
      props.put("mail.smtp.host", "127.0.0.1");
      props.put("mail.smtp.port", String.valueOf(port));
      props.put("mail.smtp.localhost", "client.example");
      props.put("mail.smtp.connectiontimeout", "2000");
      props.put("mail.smtp.timeout", "30000");
      Session session = Session.getInstance(props);
      Transport transport = null;
      while (!stop.get()) {
        try {
          if (transport == null) {
            transport = session.getTransport("smtp");
            transport.connect();
          }
          int i = seq.incrementAndGet();
          String id = "<drill." + i + "." + System.nanoTime() + "@chaos.test>";
          String to = MAILBOXES.get(i % MAILBOXES.size());
          MimeMessage message = new MimeMessage(session);
          message.setFrom("drill@chaos.test");
          message.addRecipients(Message.RecipientType.TO, to);
          message.setSubject("drill " + i);
          message.setText("kill -9 drill message " + i + "\n", "UTF-8");
          message.saveChanges();
          message.setHeader("Message-ID", id);
          transport.sendMessage(message, new InternetAddress[] {new InternetAddress(to)});
          acked.put(id, Set.of(to)); // only now: 250 after the end of DATA
          Thread.sleep(20);
        } catch (MessagingException | IllegalStateException e) {
          transport = close(transport); // refused, reset, 4xx: the server is down or went away
          pause(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      close(transport);
    }

    private static Transport close(Transport transport) {
      if (transport != null) {
        try {
          transport.close();
        } catch (MessagingException ignored) {
          // the connection is gone already
        }
      }
      return null;
    }

    private static void pause(long ms) {
      try {
        Thread.sleep(ms);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Message-IDs per mailbox in a Maildir store (new/ and cur/), with how often each is there. */
  record Census(Map<String, Map<String, Integer>> byMailbox) {
    static Census of(Path store) throws IOException {
      Map<String, Map<String, Integer>> seen = new TreeMap<>();
      if (!Files.isDirectory(store)) {
        return new Census(seen);
      }
      try (var files = Files.walk(store)) {
        for (Path file : files.filter(Files::isRegularFile).toList()) {
          Path sub = file.getParent();
          String name = sub.getFileName().toString();
          if (!(name.equals("new") || name.equals("cur")) || !sub.getParent().getFileName().toString().equals("Maildir")) {
            continue;
          }
          String mailbox = sub.getParent().getParent().getFileName().toString();
          String id = messageId(file);
          if (id != null) {
            seen.computeIfAbsent(mailbox, k -> new TreeMap<>()).merge(id, 1, Integer::sum);
          }
        }
      }
      return new Census(seen);
    }

    private static String messageId(Path file) throws IOException {
      for (String line : Files.readString(file, StandardCharsets.UTF_8).split("\r?\n")) {
        if (line.isEmpty()) {
          return null;
        }
        if (line.regionMatches(true, 0, "Message-ID:", 0, 11)) {
          return line.substring(11).trim();
        }
      }
      return null;
    }

    Map<String, Set<String>> lost(Map<String, Set<String>> acked) {
      Map<String, Set<String>> lost = new TreeMap<>();
      acked.forEach((id, rcpts) -> rcpts.forEach(r -> {
        if (!byMailbox.getOrDefault(r, Map.of()).containsKey(id)) {
          lost.computeIfAbsent(r, k -> new TreeSet<>()).add(id);
        }
      }));
      return lost;
    }

    Map<String, Set<String>> duplicated() {
      Map<String, Set<String>> dups = new TreeMap<>();
      byMailbox.forEach((mailbox, ids) -> ids.forEach((id, n) -> {
        if (n > 1) {
          dups.computeIfAbsent(mailbox, k -> new TreeSet<>()).add(id + " x" + n);
        }
      }));
      return dups;
    }
  }
}
