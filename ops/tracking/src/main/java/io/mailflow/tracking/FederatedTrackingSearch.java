package io.mailflow.tracking;

import io.mailflow.organization.Organization;
import io.mailflow.organization.Server;
import io.mailflow.schemas.avro.TrackingEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * FederatedTrackingSearch - Get-MessageTrackingLog and delivery reports over several Kafka clusters at once: the
 * node's own and every other cluster a server of the organization names in {@code servers[].trackingBootstrap}
 * (the two-sites demo: one cluster per site). Each cluster has its own {@link TrackingIndex} (under
 * {@code <data-dir>/tracking-index/<cluster>}); pages are merged by date-time, delivery reports are built from
 * every cluster's events of the message. A cluster that cannot be reached is listed in the answer's
 * {@code unreachable} (what its index took before still answers), never an error for the whole search.
 *
 * <p>The cursor of a merged page holds one cursor per cluster: each index pages on its own, and the merge takes
 * the oldest {@code ResultSize} events of their pages. Blocking, like {@link TrackingSearch}.
 */
public final class FederatedTrackingSearch implements AutoCloseable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FederatedTrackingSearch.class);
  private static final String CURSOR_VERSION = "f1";
  private static final String DONE = "-";

  /**
   * One cluster's index.
   *
   * @param name how an admin knows it: {@code EX02 at 127.0.0.1:19093} (the servers whose events it holds)
   * @param bootstrap its Kafka bootstrap servers
   * @param search its index
   * @param reachable whether its brokers answer now (cached by the caller: it is asked once per search)
   */
  public record Member(String name, String bootstrap, TrackingSearch search, BooleanSupplier reachable) {
    public Member {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(search, "search");
      Objects.requireNonNull(reachable, "reachable");
    }
  }

  /** The directory under a node's data directory that holds its indexes, one per cluster. */
  public static final String DIRECTORY = "tracking-index";

  /**
   * A node's search: {@link #clusters} of {@code org} indexed under {@code <dataDir>/tracking-index}, with the
   * transport service's messageTrackingLogMaxAge (zero: kept whatever their age) and subject logging.
   */
  public static FederatedTrackingSearch forNode(Organization org, String bootstrap, Path dataDir) {
    return open(dataDir.resolve(DIRECTORY), clusters(org, bootstrap), options(org));
  }

  /** The index options the organization's transportService.messageTracking settings give. */
  public static TrackingIndex.Options options(Organization org) {
    var settings = org.transportService().messageTracking();
    java.time.Duration maxAge = settings.maxAge().isZero() ? KEPT_FOREVER : settings.maxAge();
    return TrackingIndex.Options.of(maxAge, settings.subjectLoggingEnabled());
  }

  /** Exchange's MessageTrackingLogMaxAge 00:00:00 (no age limit), as the index's positive maximum age. */
  static final java.time.Duration KEPT_FOREVER = java.time.Duration.ofDays(365L * 1000);

  /** A cluster to index: its name for admins and its bootstrap servers. */
  public record Cluster(String name, String bootstrap) {}

  /**
   * An answer and what it could not cover.
   *
   * @param value the page or report
   * @param unreachable the clusters that did not answer ({@code EX02 at 127.0.0.1:19093}); their events indexed
   *     before are included
   * @param catchingUp the clusters whose index has not read their topic to its end yet, with their status
   */
  public record Answer<T>(T value, List<String> unreachable, Map<String, IndexStatus> catchingUp) {
    public Answer {
      unreachable = List.copyOf(unreachable);
      catchingUp = Map.copyOf(catchingUp);
    }
  }

  private final List<Member> members;
  private final List<AutoCloseable> owned;

  /** Over {@code members}, the first the node's own cluster; closes nothing of theirs. */
  public FederatedTrackingSearch(List<Member> members) {
    this(members, List.of());
  }

  private FederatedTrackingSearch(List<Member> members, List<AutoCloseable> owned) {
    if (members.isEmpty()) {
      throw new IllegalArgumentException("no cluster to search");
    }
    this.members = List.copyOf(members);
    this.owned = List.copyOf(owned);
  }

  /**
   * The clusters a node reads: its own ({@code ownBootstrap}, holding the events of {@code org.serverName()} and of
   * every server without a trackingBootstrap), then each distinct other {@code servers[].trackingBootstrap}.
   */
  public static List<Cluster> clusters(Organization org, String ownBootstrap) {
    Map<String, List<String>> byBootstrap = new LinkedHashMap<>();
    byBootstrap.put(normalized(ownBootstrap), new ArrayList<>(List.of(org.serverName())));
    for (Server s : org.servers()) {
      if (s.name().equalsIgnoreCase(org.serverName())) {
        continue;
      }
      String key = s.trackingBootstrap() == null ? normalized(ownBootstrap) : normalized(s.trackingBootstrap());
      byBootstrap.computeIfAbsent(key, k -> new ArrayList<>()).add(s.name());
    }
    List<Cluster> clusters = new ArrayList<>();
    for (Map.Entry<String, List<String>> e : byBootstrap.entrySet()) {
      boolean own = clusters.isEmpty();
      String servers = own ? org.serverName() : String.join(", ", e.getValue());
      String bootstrap = own ? ownBootstrap : e.getKey();
      clusters.add(new Cluster(servers + " at " + bootstrap, bootstrap));
    }
    return clusters;
  }

  /**
   * Opens one {@link TrackingIndex} per cluster under {@code root} ({@code <data-dir>/tracking-index}), each in
   * {@link #directoryOf}, and a reachability probe per cluster.
   */
  public static FederatedTrackingSearch open(Path root, List<Cluster> clusters, TrackingIndex.Options options) {
    writeManifest(root, clusters);
    List<Member> members = new ArrayList<>();
    List<AutoCloseable> owned = new ArrayList<>();
    try {
      for (Cluster c : clusters) {
        ClusterProbe probe = new ClusterProbe(c.bootstrap());
        owned.add(probe);
        Path dir = directoryOf(root, c.bootstrap());
        TrackingIndex index;
        try {
          index = TrackingIndex.open(dir, c.bootstrap(), options);
        } catch (RuntimeException e) {
          if (members.isEmpty()) {
            throw e; // the node's own cluster: its caller says why it cannot start
          }
          // another site's cluster whose consumer cannot even be made (a name that does not resolve): what its index
          // took before still answers, and every answer names it unreachable; never a reason to fail the node
          LOG.warn("message-tracking index of {} not fed: {}; it answers from what it holds", c.name(), e.toString());
          index = TrackingIndex.local(dir, options);
        }
        owned.add(index);
        members.add(new Member(c.name(), c.bootstrap(), index, probe::reachable));
      }
    } catch (RuntimeException e) {
      closeAll(owned);
      throw e;
    }
    return new FederatedTrackingSearch(members, owned);
  }

  /** The file beside the indexes naming their clusters, one {@code name<TAB>bootstrap} a line, the own first. */
  public static final String MANIFEST = "clusters.tsv";

  private static void writeManifest(Path root, List<Cluster> clusters) {
    StringBuilder text = new StringBuilder();
    clusters.forEach(c -> text.append(c.name().replace('\t', ' ')).append('\t').append(c.bootstrap()).append('\n'));
    try {
      java.nio.file.Files.createDirectories(root);
      Path tmp = root.resolve(MANIFEST + ".tmp");
      java.nio.file.Files.writeString(tmp, text);
      java.nio.file.Files.move(tmp, root.resolve(MANIFEST), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot write " + root.resolve(MANIFEST) + ": " + e.getMessage(), e);
    }
  }

  /** The clusters a node's indexes under {@code root} hold, as its {@link #MANIFEST} names them. */
  public static List<Cluster> manifest(Path root) {
    List<Cluster> clusters = new ArrayList<>();
    try {
      for (String line : java.nio.file.Files.readAllLines(root.resolve(MANIFEST))) {
        int tab = line.indexOf('\t');
        if (tab > 0) {
          clusters.add(new Cluster(line.substring(0, tab), line.substring(tab + 1)));
        }
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot read " + root.resolve(MANIFEST) + ": " + e.getMessage(), e);
    }
    return clusters;
  }

  /**
   * The indexes a running node keeps under {@code root}, opened read-only ({@link TrackingIndex#openReadOnly}): one
   * per cluster whose directory exists; a cluster without one is left out. Reachability is still probed.
   *
   * @throws IllegalStateException when none of the clusters has an index under {@code root}
   */
  public static FederatedTrackingSearch openReadOnly(Path root, List<Cluster> clusters,
      TrackingIndex.Options options) {
    List<Member> members = new ArrayList<>();
    List<AutoCloseable> owned = new ArrayList<>();
    try {
      for (Cluster c : clusters) {
        Path dir = directoryOf(root, c.bootstrap());
        if (!java.nio.file.Files.isDirectory(dir)) {
          continue;
        }
        ClusterProbe probe = new ClusterProbe(c.bootstrap());
        owned.add(probe);
        TrackingIndex index = TrackingIndex.openReadOnly(dir, options);
        owned.add(index);
        members.add(new Member(c.name(), c.bootstrap(), index, probe::reachable));
      }
    } catch (RuntimeException e) {
      closeAll(owned);
      throw e;
    }
    if (members.isEmpty()) {
      throw new IllegalStateException("no message-tracking index of " + clusters.stream().map(Cluster::name).toList()
          + " under " + root);
    }
    return new FederatedTrackingSearch(members, owned);
  }

  /** Where a cluster's index lives: {@code root/<bootstrap with ':' and ',' as '_'>}. */
  public static Path directoryOf(Path root, String bootstrap) {
    return root.resolve(normalized(bootstrap).replaceAll("[^A-Za-z0-9.-]", "_"));
  }

  private static String normalized(String bootstrap) {
    List<String> parts = new ArrayList<>();
    for (String p : bootstrap.split(",")) {
      if (!p.isBlank()) {
        parts.add(p.strip().toLowerCase(Locale.ROOT));
      }
    }
    return String.join(",", parts);
  }

  /** The clusters searched, the node's own first. */
  public List<Member> members() {
    return members;
  }

  /** Waits until every reachable cluster's index has read its topic to the end as of now; false on timeout. */
  public boolean awaitCaughtUp(java.time.Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    boolean all = true;
    for (Member m : members) {
      if (m.search() instanceof TrackingIndex index && m.reachable().getAsBoolean()) {
        long left = Math.max(0, deadline - System.nanoTime());
        all &= index.awaitCaughtUp(java.time.Duration.ofNanos(left));
      }
    }
    return all;
  }

  /**
   * One merged page: the events matching {@code query} (its own cursor unused) on every cluster, oldest first, at
   * most {@code query.resultSize()}, starting after {@code cursor} (a page's {@code next}, or null for the first).
   *
   * @throws TrackingQueryException naming {@code Cursor} when {@code cursor} is not one this search gave
   */
  public Answer<TrackingPage> search(TrackingQuery query, String cursor) {
    Map<String, String> cursors = decode(cursor);
    TrackingQuery base = query.withCursor(null);
    int size = base.resultSize();
    List<String> unreachable = unreachable();
    record Taken(TrackingEvent event, int member, int index) {}
    List<Taken> all = new ArrayList<>();
    List<TrackingPage> pages = new ArrayList<>();
    long total = 0;
    for (int i = 0; i < members.size(); i++) {
      Member m = members.get(i);
      String at = cursors.get(m.name());
      total += m.search().search(base.withResultSize(1)).totalHits(); // over every page, whatever page this is
      if (DONE.equals(at)) {
        pages.add(null);
        continue;
      }
      TrackingPage page = m.search().search(base.withCursor(at));
      pages.add(page);
      for (int j = 0; j < page.events().size(); j++) {
        all.add(new Taken(page.events().get(j), i, j));
      }
    }
    all.sort(Comparator.comparing((Taken t) -> t.event().getDateTime()).thenComparingInt(Taken::member)
        .thenComparingInt(Taken::index));
    List<Taken> page = all.subList(0, Math.min(size, all.size()));
    int[] taken = new int[members.size()];
    page.forEach(t -> taken[t.member()]++);
    Map<String, String> next = new LinkedHashMap<>();
    boolean more = false;
    for (int i = 0; i < members.size(); i++) {
      Member m = members.get(i);
      TrackingPage own = pages.get(i);
      String at = cursors.get(m.name());
      String after;
      if (own == null) {
        after = DONE;
      } else if (taken[i] == own.events().size()) {
        after = own.next() == null ? DONE : own.next();
      } else if (taken[i] == 0) {
        after = at;
      } else {
        // the cursor after this cluster's taken events: its page of exactly that many
        String n = m.search().search(base.withCursor(at).withResultSize(taken[i])).next();
        after = n == null ? DONE : n;
      }
      more |= !DONE.equals(after);
      next.put(m.name(), after);
    }
    List<TrackingEvent> events = page.stream().map(Taken::event).toList();
    return new Answer<>(new TrackingPage(events, more ? encode(next) : null, total), unreachable, catchingUp());
  }

  /**
   * The delivery report of one message over every cluster: each cluster's events of the message (by its network
   * message ids and Message-ID as any cluster knows them), in one report.
   *
   * @throws NoSuchMessageException naming {@code id} when no cluster's index knows it
   */
  public Answer<DeliveryReport> report(String id) {
    List<String> unreachable = unreachable();
    List<DeliveryReport> found = new ArrayList<>();
    for (Member m : members) {
      try {
        found.add(m.search().report(id));
      } catch (NoSuchMessageException unknownHere) {
        // another cluster may know it
      }
    }
    if (found.isEmpty()) {
      throw new NoSuchMessageException(id);
    }
    Set<String> networkIds = new LinkedHashSet<>();
    String messageId = null;
    for (DeliveryReport r : found) {
      networkIds.addAll(r.networkMessageIds());
      messageId = messageId == null ? r.messageId() : messageId;
    }
    // every cluster's events of those ids, also those that did not know the id asked (a Message-ID asked, a
    // cluster that logged only the network message id)
    Set<TrackingEvent> events = new LinkedHashSet<>();
    for (Member m : members) {
      for (String nmid : networkIds) {
        events.addAll(m.search().search(new TrackingQuery(null, List.of(), null, nmid, null, null, null, null, null,
            null, null, null, TrackingQuery.UNLIMITED, null)).events());
      }
      if (messageId != null) {
        events.addAll(m.search().search(new TrackingQuery(null, List.of(), messageId, null, null, null, null, null,
            null, null, null, null, TrackingQuery.UNLIMITED, null)).events());
      }
    }
    DeliveryReport report = found.size() == 1 && members.size() == 1 ? found.get(0)
        : DeliveryReport.of(new ArrayList<>(events));
    return new Answer<>(report, unreachable, catchingUp());
  }

  /** Each cluster's index status, by name. */
  public Answer<Map<String, IndexStatus>> status() {
    Map<String, IndexStatus> statuses = new LinkedHashMap<>();
    members.forEach(m -> statuses.put(m.name(), m.search().status()));
    return new Answer<>(statuses, unreachable(), catchingUp());
  }

  private List<String> unreachable() {
    List<String> names = new ArrayList<>();
    for (Member m : members) {
      boolean ok;
      try {
        ok = m.reachable().getAsBoolean();
      } catch (RuntimeException e) {
        ok = false;
      }
      if (!ok) {
        names.add(m.name());
      }
    }
    return names;
  }

  private Map<String, IndexStatus> catchingUp() {
    Map<String, IndexStatus> behind = new LinkedHashMap<>();
    for (Member m : members) {
      IndexStatus s = m.search().status();
      if (s.rebuilding() || s.lag() > 0) {
        behind.put(m.name(), s);
      }
    }
    return behind;
  }

  private String encode(Map<String, String> cursors) {
    StringBuilder plain = new StringBuilder(CURSOR_VERSION);
    for (Member m : members) {
      String c = cursors.get(m.name());
      plain.append('\n').append(c == null ? "" : c);
    }
    return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.toString().getBytes(StandardCharsets.UTF_8));
  }

  private Map<String, String> decode(String cursor) {
    Map<String, String> cursors = new LinkedHashMap<>();
    if (cursor == null) {
      return cursors;
    }
    String[] lines;
    try {
      lines = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("\n", -1);
    } catch (IllegalArgumentException notBase64) {
      lines = new String[0];
    }
    if (lines.length != members.size() + 1 || !lines[0].equals(CURSOR_VERSION)) {
      throw new TrackingQueryException("Cursor", "Cursor '" + cursor
          + "' is not a cursor this search gave (pass a page's next value unchanged)");
    }
    for (int i = 0; i < members.size(); i++) {
      String c = lines[i + 1];
      cursors.put(members.get(i).name(), c.isEmpty() ? null : c);
    }
    return cursors;
  }

  @Override
  public void close() {
    closeAll(owned);
  }

  private static void closeAll(List<AutoCloseable> all) {
    for (AutoCloseable c : all) {
      try {
        c.close();
      } catch (Exception ignored) {
        // closing an index or a probe's client: nothing more to do
      }
    }
  }
}
