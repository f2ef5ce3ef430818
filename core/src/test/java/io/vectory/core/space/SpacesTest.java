package io.vectory.core.space;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectory.core.vectors.FloatMatrix;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SpacesTest {
  static FloatMatrix rows(int n, int d) {
    float[] v = new float[n * d];
    for (int i = 0; i < v.length; i++) v[i] = i;
    return FloatMatrix.wrap(n, d, v);
  }

  @Test
  void alignsBByIdInAsOrder() {
    Space a = new Space("a", List.of("x", "y", "z"), rows(3, 2), Map.of());
    Space b = new Space("b", List.of("z", "x", "y"), rows(3, 4), Map.of());
    AlignedPair p = Spaces.alignById(a, b);
    assertEquals(List.of("x", "y", "z"), p.ids());
    assertEquals(4f, p.b().get(0, 0)); // x is b's row 1
    assertEquals(8f, p.b().get(1, 0));
    assertEquals(0f, p.b().get(2, 0));
  }

  @Test
  void idsInOnlyOneSpaceSayHowManyAndShowAFew() {
    Space a = new Space("a.npz", List.of("1", "2", "3", "4", "5", "6", "7", "8"), rows(8, 2), Map.of());
    Space b = new Space("b.npz", List.of("1", "2", "x", "y", "z", "u", "v", "w"), rows(8, 2), Map.of());
    var e = assertThrows(IllegalArgumentException.class, () -> Spaces.alignById(a, b));
    assertEquals("the spaces do not hold the same ids: 6 id(s) only in a.npz (e.g. 3, 4, 5, 6, 7), 6 only in b.npz"
        + " (e.g. x, y, z, u, v)", e.getMessage());
  }

  @Test
  void duplicateIdsInASpace() {
    Space a = new Space("a.npz", List.of("p", "q", "p"), rows(3, 2), Map.of());
    var e = assertThrows(IllegalArgumentException.class, () -> Spaces.index(a));
    assertEquals("a.npz: duplicate id 'p' at rows 0 and 2", e.getMessage());
  }

  @Test
  void metadataErrors() {
    Metadata dup = Metadata.parse("meta.csv", "id,label\nu,1\nv,2\nu,3\n");
    var d = assertThrows(IllegalArgumentException.class, () -> dup.ids("id"));
    assertEquals("meta.csv: duplicate id 'u' in field 'id' on lines 2 and 4", d.getMessage());

    var missing = assertThrows(IllegalArgumentException.class, () -> dup.column("name"));
    assertEquals("meta.csv: no field 'name'; the header has [id, label]", missing.getMessage());

    Space s = Space.ofRows("a.npy", rows(2, 2));
    var count = assertThrows(IllegalArgumentException.class, () -> dup.attach(s, false, null));
    assertEquals("meta.csv: 3 data rows, but a.npy has 2 vectors; expected one CSV row per vector, in the same order",
        count.getMessage());

    var ragged = assertThrows(IllegalArgumentException.class, () -> Metadata.parse("r.csv", "a,b\n1,2\n3\n"));
    assertEquals("r.csv: line 3 has 1 fields, the header has 2", ragged.getMessage());
  }

  @Test
  void metadataAttachesIdsAndColumnsByPositionOrById() {
    Metadata m = Metadata.parse("m.csv", "id,label,text\nb,L1,\"quoted, with \"\"comma\"\"\"\na,L2,plain\n");
    Space byPos = m.attach(Space.ofRows("v.npy", rows(2, 2)), false, "id");
    assertEquals(List.of("b", "a"), byPos.ids());
    assertEquals(List.of("quoted, with \"comma\"", "plain"), byPos.columns().get("text"));
    Space own = new Space("v.npz", List.of("a", "b"), rows(2, 2), Map.of());
    Space byId = m.attach(own, true, "id");
    assertEquals(List.of("L2", "L1"), byId.columns().get("label"));
  }
}
