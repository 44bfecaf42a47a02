package io.mailflow.tracking;

import io.mailflow.kafka.Topics;
import io.mailflow.kafka.TrackingEventId;
import io.mailflow.schemas.avro.TrackingEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.FieldDoc;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;

import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopFieldDocs;
import org.apache.lucene.search.WildcardQuery;
import org.apache.lucene.store.AlreadyClosedException;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.LockObtainFailedException;
import org.apache.lucene.util.BytesRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TrackingStore - the Lucene half of the index: takes events with their position on mail.tracking.v1, commits them
 * with the positions read (commit user data), deletes what retention says, and searches. One writer thread
 * ({@link #add}, {@link #commit}, {@link #deleteOlderThan}); any number of searching threads.
 *
 * <p>Opening never fails for a bad index: a corrupt one (unreadable segments, a format from another Lucene) is
 * moved aside with one WARN and an empty one takes its place, whose positions say "from the
 * beginning".
 */
final class TrackingStore implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TrackingStore.class);
  /** Commit user data: the positions read, {@code partition:offset,...}. */
  static final String POSITIONS = "mail.tracking.v1.positions";
  /** Commit user data: the layout of the documents; another value means rebuild. */
  static final String LAYOUT = "mailflow.tracking.layout";
  static final String LAYOUT_VERSION = "1";
  private static final Sort ORDER = new Sort(new SortField(TrackingFields.DATE_TIME, SortField.Type.LONG),
      new SortField(TrackingFields.POSITION, SortField.Type.LONG));
  /** Pages larger than this are collected in chunks (Unlimited must not size a priority queue for 2^31). */
  private static final int CHUNK = 10_000;
  /** TieredMergePolicy's segments per tier (Lucene's default is 10). */
  static final double SEGMENTS_PER_TIER = 20;
  private static final DateTimeFormatter ASIDE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private final Path directory;
  private final FSDirectory dir;
  private final IndexWriter writer;
  private final SearcherManager searchers;
  private final boolean subjects;
  private final Map<Integer, Long> committedPositions;
  private final boolean rebuilt;

  private TrackingStore(Path directory, FSDirectory dir, IndexWriter writer, boolean subjects,
      Map<Integer, Long> positions, boolean rebuilt) throws IOException {
    this.directory = directory;
    this.dir = dir;
    this.writer = writer;
    this.subjects = subjects;
    this.committedPositions = positions;
    this.rebuilt = rebuilt;
    this.searchers = new SearcherManager(writer, true, false, null);
  }

  /** A read-only store: no writer, no write lock; searches see the latest commit (tracking-surfaces: the CLI). */
  private TrackingStore(Path directory, FSDirectory dir, boolean subjects, Map<Integer, Long> positions)
      throws IOException {
    this.directory = directory;
    this.dir = dir;
    this.writer = null;
    this.subjects = subjects;
    this.committedPositions = positions;
    this.rebuilt = false;
    this.searchers = new SearcherManager(dir, null);
  }

  /**
   * The index a running node keeps in {@code directory}, for reading only: Lucene readers take no write lock, so
   * the node goes on writing; never created, rebuilt or moved aside. Fails when there is no index there.
   */
  static TrackingStore openReadOnly(Path directory, boolean subjects) throws IOException {
    FSDirectory dir = FSDirectory.open(directory);
    try {
      if (!DirectoryReader.indexExists(dir)) {
        throw new IOException("no message-tracking index in " + directory);
      }
      String positions = org.apache.lucene.index.SegmentInfos.readLatestCommit(dir).getUserData().get(POSITIONS);
      return new TrackingStore(directory, dir, subjects, parsePositions(positions));
    } catch (IOException | RuntimeException e) {
      closeQuietly(dir);
      throw e;
    }
  }

  /**
   * The index in {@code directory}: the existing one when it opens and its checksums verify, else a new empty one
   * (a bad one moved aside first, {@link #rebuilt()} true).
   */
  static TrackingStore open(Path directory, boolean subjects, Instant now) {
    try {
      return openExisting(directory, subjects);
    } catch (LockObtainFailedException e) {
      if (String.valueOf(e.getMessage()).contains("held by this virtual machine")) {
        // another TrackingIndex of this process has it open: a wiring mistake, not a damaged index
        throw new IllegalStateException("the message-tracking index " + directory
            + " is already open in this process; open it once and share it", e);
      }
      // An OS file lock: its process is alive (the OS frees the lock of a dead one). Moving its live index aside
      // would wreck it: say who must serve the index instead.
      throw new IllegalStateException("the message-tracking index " + directory + " is open in another running "
          + "process (" + e.getMessage() + "); one process per data dir serves it, the others read it read-only", e);
    } catch (IOException e) {
      // CorruptIndexException, IndexFormatTooOld/NewException, LockObtainFailedException, a layout of another
      // release, and an unreadable segment's EOFException or NoSuchFileException
      return rebuild(directory, subjects, now, e);
    } catch (UncheckedIOException | IllegalStateException | IllegalArgumentException e) {
      return rebuild(directory, subjects, now, e); // what some codecs throw for a damaged file
    }
  }

  private static final class LayoutMismatch extends IOException {
    private static final long serialVersionUID = 1L;

    LayoutMismatch(String message) {
      super(message);
    }
  }

  private static TrackingStore openExisting(Path directory, boolean subjects) throws IOException {
    Files.createDirectories(directory);
    FSDirectory dir = FSDirectory.open(directory);
    IndexWriter writer = null;
    try {
      boolean exists = DirectoryReader.indexExists(dir);
      writer = new IndexWriter(dir, config());
      Map<Integer, Long> positions = new TreeMap<>();
      if (exists) {
        Map<String, String> data = new HashMap<>();
        Iterable<Map.Entry<String, String>> live = writer.getLiveCommitData();
        if (live != null) {
          live.forEach(en -> data.put(en.getKey(), en.getValue()));
        }
        if (!LAYOUT_VERSION.equals(data.get(LAYOUT))) {
          throw new LayoutMismatch("the index was written with document layout " + data.get(LAYOUT)
              + ", this release writes " + LAYOUT_VERSION);
        }
        positions.putAll(parsePositions(data.get(POSITIONS)));
        // Every segment's checksums, once at open: a truncated or overwritten file is found now, not by a search.
        try (DirectoryReader reader = DirectoryReader.open(writer)) {
          for (LeafReaderContext leaf : reader.leaves()) {
            leaf.reader().checkIntegrity();
          }
        }
      }
      TrackingStore store = new TrackingStore(directory, dir, writer, subjects, positions, !exists);
      if (!exists) {
        store.commit(positions); // an empty index that says so: a crash before the first commit starts over
      }
      return store;
    } catch (IOException | RuntimeException e) {
      closeQuietly(writer);
      closeQuietly(dir);
      throw e;
    }
  }

  private static TrackingStore rebuild(Path directory, boolean subjects, Instant now, Exception cause) {
    Path aside = directory.resolveSibling(directory.getFileName() + ".corrupt-" + ASIDE.format(now));
    LOG.warn("message-tracking index {} cannot be used ({}: {}); moved aside to {}, rebuilding it from {}",
        directory, cause.getClass().getSimpleName(), cause.getMessage(), aside, Topics.TRACKING.name());
    try {
      if (Files.exists(directory)) {
        Files.move(directory, aside);
      }
      return openExisting(directory, subjects);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot rebuild the message-tracking index in " + directory + ": "
          + e.getMessage(), e);
    }
  }

  static IndexWriterConfig config() {
    IndexWriterConfig c = new IndexWriterConfig(); // StandardAnalyzer unused: every field is a keyword
    c.setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND);
    // Indexing runs in bursts at ~1 s commits; a larger buffer means fewer, larger flushed segments.
    c.setRAMBufferSizeMB(64);
    c.setCommitOnClose(false); // close commits explicitly, with the positions
    // A commit a second under load makes a small segment a second; twice Lucene's default of segments per tier
    // before they are merged halves how often each event is rewritten by merges, for a few more segments to search.
    org.apache.lucene.index.TieredMergePolicy merges = new org.apache.lucene.index.TieredMergePolicy();
    merges.setSegmentsPerTier(SEGMENTS_PER_TIER);
    c.setMergePolicy(merges);
    return c;
  }

  static Map<Integer, Long> parsePositions(String text) {
    Map<Integer, Long> positions = new TreeMap<>();
    if (text == null || text.isEmpty()) {
      return positions;
    }
    for (String part : text.split(",")) {
      int colon = part.indexOf(':');
      positions.put(Integer.parseInt(part.substring(0, colon)), Long.parseLong(part.substring(colon + 1)));
    }
    return positions;
  }

  /**
   * The positions the index was opened at: what its last commit stored (the next offset to read per partition);
   * empty for a new index.
   */
  Map<Integer, Long> committedPositions() {
    return Map.copyOf(committedPositions);
  }

  /** Whether this index was created empty at open (missing, or moved aside as corrupt). */
  boolean rebuilt() {
    return rebuilt;
  }

  Path directory() {
    return directory;
  }

  /** Adds {@code event} read at {@code position}; {@code bytes} as read from the topic (re-encoded if stripped). */
  void add(TrackingEvent event, byte[] bytes, long position) throws IOException {
    byte[] stored = bytes;
    if (!subjects && event.getMessageSubject() != null) {
      event.setMessageSubject(null); // subject logging off: neither indexed nor returned
      stored = Topics.TRACKING.codec().encode(event);
    }
    writer.addDocument(TrackingFields.document(event, stored, position, subjects));
  }

  /** Makes everything added durable together with {@code positions} (the next offset to read per partition). */
  void commit(Map<Integer, Long> positions) throws IOException {
    StringBuilder text = new StringBuilder();
    new TreeMap<>(positions).forEach((p, o) -> {
      if (text.length() > 0) {
        text.append(',');
      }
      text.append(p).append(':').append(o);
    });
    writer.setLiveCommitData(Map.of(POSITIONS, text.toString(), LAYOUT, LAYOUT_VERSION).entrySet());
    writer.commit();
  }

  /** Deletes every event with a date-time before {@code cutoff} (messageTrackingLogMaxAge). */
  void deleteOlderThan(Instant cutoff) throws IOException {
    writer.deleteDocuments(LongPoint.newRangeQuery(TrackingFields.DATE_TIME, Long.MIN_VALUE,
        cutoff.toEpochMilli() - 1));
  }

  /** Makes what was added visible to searches (waits if another thread is refreshing). */
  void refresh() throws IOException {
    searchers.maybeRefreshBlocking();
  }

  /** As {@link #refresh} unless another thread is at it. */
  void maybeRefresh() throws IOException {
    searchers.maybeRefresh();
  }

  /** Events searchable now. */
  long eventCount() {
    return withSearcher(s -> (long) s.getIndexReader().numDocs());
  }

  TrackingPage search(TrackingQuery q) {
    Query query = query(q);
    TrackingCursor cursor = q.cursor() == null ? null : TrackingCursor.decode(q.cursor());
    return withSearcher(searcher -> {
      // (date-time, position) is unique, so the doc id only has to exclude the cursor's own event: any id at or
      // above it does (the id itself changes as segments merge)
      FieldDoc start = cursor == null ? null : new FieldDoc(Math.max(0, searcher.getIndexReader().maxDoc() - 1),
          Float.NaN, new Object[] {cursor.dateTime(), cursor.position()});
      long total = searcher.count(query);
      List<TrackingEvent> events = new ArrayList<>();
      FieldDoc last = start;
      boolean more = false;
      int wanted = q.resultSize();
      while (events.size() < wanted) {
        int n = (int) Math.min((long) wanted - events.size() + 1, CHUNK + 1); // one more: is there a next page
        TopFieldDocs top = searcher.searchAfter(last, query, n, ORDER, false);
        StoredFields stored = searcher.storedFields();
        int take = Math.min(top.scoreDocs.length, wanted - events.size());
        for (int i = 0; i < take && i < CHUNK; i++) {
          ScoreDoc d = top.scoreDocs[i];
          events.add(decode(stored.document(d.doc, Set.of(TrackingFields.EVENT))));
          last = (FieldDoc) d;
        }
        if (top.scoreDocs.length < n) {
          more = false;
          break;
        }
        more = true;
        if (events.size() >= wanted) {
          break;
        }
      }
      String next = more && last != null
          ? new TrackingCursor((Long) last.fields[0], (Long) last.fields[1]).encode() : null;
      return new TrackingPage(events, next, total);
    });
  }

  /** Every event of the message {@code id} names (Message-ID or network message id), oldest first; empty if none. */
  List<TrackingEvent> messageEvents(String id) {
    String nmid = id.trim().toLowerCase(Locale.ROOT);
    String mid = TrackingQuery.bareMessageId(id);
    return withSearcher(searcher -> {
      Set<String> nmids = new LinkedHashSet<>();
      Set<String> mids = new LinkedHashSet<>();
      if (!nmid.isEmpty()) {
        nmids.add(nmid);
      }
      if (mid != null) {
        mids.add(mid);
      }
      // the closure: events of these ids name other ids (one network message id per server that did not trust it)
      List<TrackingEvent> events = List.of();
      for (int round = 0; round < 3; round++) {
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        if (!nmids.isEmpty()) {
          b.add(new TermInSetQuery(TrackingFields.NETWORK_MESSAGE_ID,
              nmids.stream().map(BytesRef::new).toList()), BooleanClause.Occur.SHOULD);
        }
        if (!mids.isEmpty()) {
          b.add(new TermInSetQuery(TrackingFields.MESSAGE_ID, mids.stream().map(BytesRef::new).toList()),
              BooleanClause.Occur.SHOULD);
        }
        events = all(searcher, b.build());
        int before = nmids.size() + mids.size();
        for (TrackingEvent e : events) {
          if (e.getNetworkMessageId() != null && !e.getNetworkMessageId().isEmpty()) {
            nmids.add(e.getNetworkMessageId().toLowerCase(Locale.ROOT));
          }
          String m = TrackingQuery.bareMessageId(e.getMessageId());
          if (m != null) {
            mids.add(m);
          }
        }
        if (nmids.size() + mids.size() == before) {
          break;
        }
      }
      return events.stream().filter(e -> !isQueueEvent(e)).toList();
    });
  }

  static boolean isQueueEvent(TrackingEvent e) {
    return TrackingEventId.QUEUESTATE.name().equals(e.getEventId())
        || TrackingEventId.QUEUEACTION.name().equals(e.getEventId())
        || e.getNetworkMessageId() == null || e.getNetworkMessageId().isEmpty();
  }

  private static List<TrackingEvent> all(IndexSearcher searcher, Query query) throws IOException {
    List<TrackingEvent> events = new ArrayList<>();
    FieldDoc last = null;
    while (true) {
      TopFieldDocs top = searcher.searchAfter(last, query, CHUNK, ORDER, false);
      StoredFields stored = searcher.storedFields();
      for (ScoreDoc d : top.scoreDocs) {
        events.add(decode(stored.document(d.doc, Set.of(TrackingFields.EVENT))));
        last = (FieldDoc) d;
      }
      if (top.scoreDocs.length < CHUNK) {
        return events;
      }
    }
  }

  private static TrackingEvent decode(Document doc) {
    BytesRef bytes = doc.getBinaryValue(TrackingFields.EVENT);
    byte[] copy = new byte[bytes.length];
    System.arraycopy(bytes.bytes, bytes.offset, copy, 0, bytes.length);
    return Topics.TRACKING.codec().decode(copy);
  }

  /** The Lucene query of {@code q}: one filter clause per given parameter, all required. */
  Query query(TrackingQuery q) {
    BooleanQuery.Builder b = new BooleanQuery.Builder();
    int clauses = 0;
    clauses += term(b, TrackingFields.SENDER, q.sender());
    if (!q.recipients().isEmpty()) {
      b.add(new TermInSetQuery(TrackingFields.RECIPIENT, q.recipients().stream().map(BytesRef::new).toList()),
          BooleanClause.Occur.FILTER);
      clauses++;
    }
    clauses += term(b, TrackingFields.MESSAGE_ID, q.messageId());
    clauses += term(b, TrackingFields.NETWORK_MESSAGE_ID, q.networkMessageId());
    clauses += term(b, TrackingFields.INTERNAL_MESSAGE_ID, q.internalMessageId());
    clauses += term(b, TrackingFields.EVENT_ID, q.eventId() == null ? null : q.eventId().name().toLowerCase(Locale.ROOT));
    clauses += term(b, TrackingFields.SOURCE, q.source() == null ? null : q.source().name().toLowerCase(Locale.ROOT));
    clauses += term(b, TrackingFields.SERVER, q.server());
    clauses += term(b, TrackingFields.REFERENCE, q.reference());
    if (q.messageSubject() != null) {
      b.add(subjects ? new WildcardQuery(new Term(TrackingFields.SUBJECT,
          "*" + escapeWildcard(q.messageSubject().toLowerCase(Locale.ROOT)) + "*")) : new MatchNoDocsQuery(
              "subject logging is off"), BooleanClause.Occur.FILTER);
      clauses++;
    }
    if (q.start() != null || q.end() != null) {
      long from = q.start() == null ? Long.MIN_VALUE : q.start().toEpochMilli();
      long to = q.end() == null ? Long.MAX_VALUE : q.end().toEpochMilli() - 1; // End is exclusive
      b.add(LongPoint.newRangeQuery(TrackingFields.DATE_TIME, from, to), BooleanClause.Occur.FILTER);
      clauses++;
    }
    return clauses == 0 ? new MatchAllDocsQuery() : b.build();
  }

  private static int term(BooleanQuery.Builder b, String field, String value) {
    if (value == null) {
      return 0;
    }
    b.add(new TermQuery(new Term(field, value)), BooleanClause.Occur.FILTER);
    return 1;
  }

  private static String escapeWildcard(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      if (c == '*' || c == '?' || c == '\\') {
        out.append('\\');
      }
      out.append(c);
    }
    return out.toString();
  }

  private interface SearcherWork<T> {
    T run(IndexSearcher searcher) throws IOException;
  }

  private <T> T withSearcher(SearcherWork<T> work) {
    try {
      IndexSearcher searcher = searchers.acquire();
      try {
        return work.run(searcher);
      } finally {
        searchers.release(searcher);
      }
    } catch (AlreadyClosedException e) {
      throw new IllegalStateException("the message-tracking index " + directory + " is closed", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the message-tracking index " + directory + ": " + e.getMessage(),
          e);
    }
  }

  /** Commits {@code positions} and closes; nothing is lost that the positions say was read. */
  void close(Map<Integer, Long> positions) {
    try {
      if (writer != null && writer.isOpen()) {
        commit(positions);
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("message-tracking index {}: last commit failed ({}); the next start re-reads from the commit before",
          directory, e.toString());
    }
    close();
  }

  @Override
  public void close() {
    closeQuietly(searchers);
    closeQuietly(writer);
    closeQuietly(dir);
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      LOG.debug("closing {}: {}", c, e.toString());
    }
  }
}
