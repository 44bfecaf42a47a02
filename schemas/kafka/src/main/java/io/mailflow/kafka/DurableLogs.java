package io.mailflow.kafka;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * DurableLogs - which brokers in this process flush before acknowledging, by bootstrap address: {@code mailflow run}
 * registers its embedded broker's {@link LogFlusher}, so every publisher and the edge's writer made for that address
 * wait for the flush; a publisher for any other cluster relies on its replication. One registry per JVM because the
 * broker and its clients are started apart (the stages know only the bootstrap address).
 */
public final class DurableLogs {
  private static final Map<String, DurableLog> BY_BOOTSTRAP = new ConcurrentHashMap<>();

  private DurableLogs() {}

  /** From now on, clients of {@code bootstrapServers} made in this JVM wait for {@code log}'s flushes. */
  public static void register(String bootstrapServers, DurableLog log) {
    BY_BOOTSTRAP.put(bootstrapServers, log);
  }

  /** Forgets the broker at {@code bootstrapServers} (it stopped). */
  public static void unregister(String bootstrapServers) {
    BY_BOOTSTRAP.remove(bootstrapServers);
  }

  /** The flusher of the broker at {@code bootstrapServers}, or {@link DurableLog#replicated()}. */
  public static DurableLog forBootstrap(String bootstrapServers) {
    return BY_BOOTSTRAP.getOrDefault(bootstrapServers, DurableLog.replicated());
  }
}
