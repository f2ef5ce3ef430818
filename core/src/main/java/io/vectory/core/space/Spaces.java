package io.vectory.core.space;

import io.vectory.core.vectors.FloatMatrix;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Operations on spaces. */
public final class Spaces {
  private static final int EXAMPLES = 5;

  private Spaces() {}

  /**
   * Pairs the rows of {@code a} and {@code b} by id, in a's order. Both must hold exactly the same ids;
   * otherwise the error says how many are only in each space and shows a few. Dimensions may differ.
   */
  public static AlignedPair alignById(Space a, Space b) {
    Map<String, Integer> rowOfB = index(b);
    index(a); // rejects duplicate ids in a
    List<String> onlyA = new ArrayList<>();
    int[] order = new int[a.ids().size()];
    int onlyACount = 0;
    for (int i = 0; i < a.ids().size(); i++) {
      Integer r = rowOfB.get(a.ids().get(i));
      if (r == null) {
        if (onlyA.size() < EXAMPLES) onlyA.add(a.ids().get(i));
        onlyACount++;
      } else {
        order[i] = r;
      }
    }
    int onlyBCount = 0;
    List<String> onlyB = new ArrayList<>();
    if (a.ids().size() - onlyACount != b.ids().size()) {
      Map<String, Integer> rowOfA = index(a);
      for (String id : b.ids()) {
        if (!rowOfA.containsKey(id)) {
          if (onlyB.size() < EXAMPLES) onlyB.add(id);
          onlyBCount++;
        }
      }
    }
    if (onlyACount > 0 || onlyBCount > 0) {
      StringBuilder sb = new StringBuilder("the spaces do not hold the same ids: ");
      sb.append(onlyACount).append(" id(s) only in ").append(a.name());
      if (onlyACount > 0) sb.append(" (e.g. ").append(String.join(", ", onlyA)).append(")");
      sb.append(", ").append(onlyBCount).append(" only in ").append(b.name());
      if (onlyBCount > 0) sb.append(" (e.g. ").append(String.join(", ", onlyB)).append(")");
      throw new IllegalArgumentException(sb.toString());
    }
    boolean identity = true;
    for (int i = 0; i < order.length && identity; i++) identity = order[i] == i;
    FloatMatrix bAligned = identity ? b.vectors() : b.vectors().selectRows(order);
    return new AlignedPair(a.vectors(), bAligned, a.ids());
  }

  /** id → row; rejects duplicates, naming the id and both rows. */
  public static Map<String, Integer> index(Space s) {
    Map<String, Integer> m = new HashMap<>(s.ids().size() * 2);
    for (int i = 0; i < s.ids().size(); i++) {
      Integer prev = m.putIfAbsent(s.ids().get(i), i);
      if (prev != null) {
        throw new IllegalArgumentException(s.name() + ": duplicate id '" + s.ids().get(i) + "' at rows " + prev + " and " + i);
      }
    }
    return m;
  }
}
