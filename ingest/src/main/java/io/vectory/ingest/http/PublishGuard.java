package io.vectory.ingest.http;

import io.vectory.ingest.SpaceDescription;
import io.vectory.schemas.CheckpointNames;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Publish-time checks of the HTTP ingest, so a client never gets "published" for a checkpoint the pipeline will
 * drop: the pipeline accepts each experiment/space@step once, in increasing steps, and compares a space's
 * checkpoints over the same ids. The guard remembers what this server published (a digest per checkpoint, the
 * last step and the id set per space) and answers before anything is sent: the same checkpoint again is a
 * {@link Decision#DUPLICATE} (not re-sent, so a retried request creates no second copy); other data under a
 * published step, an earlier step, or another id set is a {@link Conflict} saying what to do.
 */
final class PublishGuard {

  enum Decision { PUBLISH, DUPLICATE }

  /** A checkpoint that cannot be published as asked; the message says why and what to do (HTTP 409). */
  static final class Conflict extends RuntimeException {
    Conflict(String message) {
      super(message);
    }
  }

  private record SpaceHistory(long firstStep, Set<String> ids, TreeMap<Long, String> digests) {}

  private final Map<String, SpaceHistory> spaces = new HashMap<>();

  /** Checks one checkpoint; {@link #published} must follow a successful publish of a PUBLISH decision. */
  synchronized Decision check(String experiment, String space, long step, List<String> ids, String digest) {
    SpaceHistory h = spaces.get(experiment + "/" + space);
    if (h == null) return Decision.PUBLISH;
    String name = CheckpointNames.of(experiment, space, step);
    String earlier = h.digests().get(step);
    if (earlier != null) {
      if (earlier.equals(digest)) return Decision.DUPLICATE;
      throw new Conflict(name + " was already published with other data; the pipeline keeps the first. Publish it under a later step,"
          + " or start a new run under another experiment name (the Python client does so by default: vectory.Run(..., run=\"auto\"))");
    }
    long last = h.digests().lastKey();
    if (step < last) {
      throw new Conflict(name + ": step " + step + " is before step " + last + ", already published for " + experiment + "/" + space
          + "; the pipeline accepts increasing steps only. Re-running a script? Publish under another experiment name (a new run)");
    }
    if (!h.ids().equals(new HashSet<>(ids))) {
      List<String> onlyHere = new ArrayList<>(), onlyThere = new ArrayList<>();
      Set<String> now = new HashSet<>(ids);
      for (String id : ids) if (!h.ids().contains(id) && onlyHere.size() < 3) onlyHere.add(id);
      for (String id : h.ids()) if (!now.contains(id) && onlyThere.size() < 3) onlyThere.add(id);
      throw new Conflict(name + ": its ids differ from those of step " + h.firstStep() + " of this space (e.g. " + onlyHere + " only here, "
          + onlyThere + " only there); the pipeline compares a space's checkpoints over the same points: publish the same ids every"
          + " step, or this set under another space or experiment");
    }
    return Decision.PUBLISH;
  }

  synchronized void published(String experiment, String space, long step, List<String> ids, String digest) {
    spaces.computeIfAbsent(experiment + "/" + space, k -> new SpaceHistory(step, Set.copyOf(ids), new TreeMap<>()))
        .digests().put(step, digest);
  }

  /** SHA-256 over ids, vector bits, metadata and description: equal for a re-sent request, different for other data. */
  static String digest(List<String> ids, FloatBuffer vectors, SpaceDescription d) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (String id : ids) md.update((id + '\0').getBytes(StandardCharsets.UTF_8));
      FloatBuffer v = vectors.duplicate();
      ByteBuffer b = ByteBuffer.allocate(64 * 1024).order(ByteOrder.LITTLE_ENDIAN);
      while (v.hasRemaining()) {
        b.clear();
        while (v.hasRemaining() && b.remaining() >= 4) b.putFloat(v.get());
        b.flip();
        md.update(b);
      }
      d.columns().forEach((c, values) -> {
        md.update(("\1" + c + '\0').getBytes(StandardCharsets.UTF_8));
        for (String s : values) md.update((s + '\0').getBytes(StandardCharsets.UTF_8));
      });
      md.update((d.dataset() + '\0' + d.model() + '\0' + d.metric() + '\0' + d.epoch() + '\0' + new TreeMap<>(d.params()))
          .getBytes(StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
