package io.vectory.store;

import io.vectory.core.compare.KnnLists;
import io.vectory.core.compare.Metric;
import io.vectory.sink.IndexInfo;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The exact k-NN lists of an index, kept beside it ({@code indices/<physical>/knn/<metric>-<self|noself>.bin}),
 * one file per metric and self rule holding the largest k computed so far (smaller k are its prefix,
 * {@link KnnLists#truncate}). Each file carries the index's creation time and row count: lists of an index
 * since rewritten are not used. {@link IndexLifecycle} deletes the folder whenever the index's points change.
 *
 * <p>Format (big-endian): magic {@code VKNN}, version 1, created_at, rows, n, k, self (byte), n·k row indexes.
 */
final class KnnListCache {

  private static final int MAGIC = 0x564B4E4E; // "VKNN"
  private static final int VERSION = 1;

  private final IndexFolders folders;

  KnnListCache(IndexFolders folders) {
    this.folders = folders;
  }

  /** Kept lists of this index serving (metric, k, self), truncated to k; empty when none are kept or they are stale. */
  synchronized Optional<KnnLists> find(IndexInfo info, Metric metric, int k, boolean includeSelf) {
    Path f = file(info, metric, includeSelf);
    if (!Files.isRegularFile(f)) return Optional.empty();
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(f), 1 << 16))) {
      if (in.readInt() != MAGIC || in.readInt() != VERSION) return Optional.empty();
      long created = in.readLong();
      long rows = in.readLong();
      if (created != info.createdAt() || rows != info.rows()) return Optional.empty();
      int n = in.readInt();
      int kept = in.readInt();
      boolean self = in.readByte() != 0;
      if (kept < k || self != includeSelf || n != info.rows()) return Optional.empty();
      int[] nb = new int[Math.multiplyExact(n, kept)];
      for (int i = 0; i < nb.length; i++) nb[i] = in.readInt();
      return Optional.of(new KnnLists(n, kept, metric, self, null, nb).truncate(k));
    } catch (EOFException e) {
      return Optional.empty(); // torn by a crash mid-write: recompute
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the kept k-NN lists " + f + ": " + e.getMessage(), e);
    }
  }

  /** Keeps exact lists (every row a query) unless lists with a larger k are kept already. */
  synchronized void keep(IndexInfo info, KnnLists lists) {
    if (!lists.exact()) throw new IllegalArgumentException("only exact k-NN lists (every row a query) are kept");
    Path f = file(info, lists.metric(), lists.includeSelf());
    Optional<KnnLists> existing = find(info, lists.metric(), 1, lists.includeSelf());
    if (existing.isPresent() && keptK(f) >= lists.k()) return;
    try {
      Files.createDirectories(f.getParent());
      Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
      try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16))) {
        out.writeInt(MAGIC);
        out.writeInt(VERSION);
        out.writeLong(info.createdAt());
        out.writeLong(info.rows());
        out.writeInt(lists.n());
        out.writeInt(lists.k());
        out.writeByte(lists.includeSelf() ? 1 : 0);
        for (int v : lists.neighbours()) out.writeInt(v);
      }
      IndexFolders.atomicMove(tmp, f);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot keep k-NN lists in " + f + ": " + e.getMessage(), e);
    }
  }

  /** How many list files an index keeps (for {@code ls} and tests). */
  synchronized int count(IndexInfo info) {
    Path d = folders.knn(info.physical());
    if (!Files.isDirectory(d)) return 0;
    try (Stream<Path> files = Files.list(d)) {
      return (int) files.filter(p -> p.toString().endsWith(".bin")).count();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + d + ": " + e.getMessage(), e);
    }
  }

  private static int keptK(Path f) {
    try (DataInputStream in = new DataInputStream(Files.newInputStream(f))) {
      in.readInt();
      in.readInt();
      in.readLong();
      in.readLong();
      in.readInt();
      return in.readInt();
    } catch (IOException e) {
      return 0;
    }
  }

  private Path file(IndexInfo info, Metric metric, boolean includeSelf) {
    return folders.knn(info.physical()).resolve(metric.name().toLowerCase(Locale.ROOT) + "-" + (includeSelf ? "self" : "noself") + ".bin");
  }
}
