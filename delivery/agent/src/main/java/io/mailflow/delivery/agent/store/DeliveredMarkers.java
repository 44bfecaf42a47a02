package io.mailflow.delivery.agent.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * DeliveredMarkers - durable "already delivered" markers for a store that cannot de-duplicate itself
 * (an external store over LMTP): one file per (database, recipient, network message id) under a
 * directory of this delivery instance, {@code <root>/<database>/<recipient>/<network message id>}, each
 * name escaped to a plain file name. A marker holds the store's reply from the first delivery.
 *
 * <p>Markers are written only after the store said yes, fsynced with their directory; a crash in between
 * delivers twice, never zero times. They live on this instance's disk: a copy redelivered by another
 * instance (after a rebalance) does not see them. Not yet expired (they should live as long as the
 * Safety Net). File I/O runs on Vert.x worker threads.
 */
public final class DeliveredMarkers {

  private final Vertx vertx;
  private final Path root;

  public DeliveredMarkers(Vertx vertx, Path root) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.root = Objects.requireNonNull(root, "root").toAbsolutePath();
  }

  public Path root() {
    return root;
  }

  /** The recipients of {@code recipients} delivered earlier, with what the store said then; in order. */
  public Future<Map<String, String>> delivered(String database, String networkMessageId, List<String> recipients) {
    return vertx.executeBlocking(() -> {
      Map<String, String> found = new LinkedHashMap<>();
      for (String recipient : recipients) {
        Path marker = marker(database, recipient, networkMessageId);
        if (Files.exists(marker)) {
          found.put(recipient, Files.readString(marker, StandardCharsets.UTF_8));
        }
      }
      return found;
    }, false);
  }

  /** Marks each recipient of {@code replies} delivered, with the store's reply. */
  public Future<Void> mark(String database, String networkMessageId, Map<String, String> replies) {
    return vertx.executeBlocking(() -> {
      for (Map.Entry<String, String> e : replies.entrySet()) {
        Path marker = marker(database, e.getKey(), networkMessageId);
        Files.createDirectories(marker.getParent());
        Path tmp = marker.resolveSibling(marker.getFileName() + ".tmp");
        Files.writeString(tmp, e.getValue(), StandardCharsets.UTF_8);
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
          channel.force(true);
        }
        Files.move(tmp, marker, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel dir = FileChannel.open(marker.getParent(), StandardOpenOption.READ)) {
          dir.force(true); // the rename is durable only once its directory is
        }
      }
      return null;
    }, false);
  }

  private Path marker(String database, String recipient, String networkMessageId) {
    return root.resolve(fileName(database)).resolve(fileName(recipient.toLowerCase(Locale.ROOT)))
        .resolve(fileName(networkMessageId));
  }

  /** {@code value} as one plain file name: [A-Za-z0-9._-] kept (no leading dot), the rest %XX; hashed if very long. */
  public static String fileName(String value) {
    StringBuilder sb = new StringBuilder();
    for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
          || (c == '.' && sb.length() > 0)) {
        sb.append(c);
      } else {
        sb.append('%').append(String.format("%02X", (int) c));
      }
    }
    if (sb.length() > 0 && sb.length() <= 200) {
      return sb.toString();
    }
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
      return "sha256-" + HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JRE", e);
    }
  }
}
