package io.vectory.core.projection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SymmetricEigenTest {

  @Test
  void decomposesARandomSymmetricMatrix() {
    int n = 60;
    Random r = new Random(11);
    double[][] a = new double[n][n];
    for (int i = 0; i < n; i++) for (int j = i; j < n; j++) a[i][j] = a[j][i] = r.nextGaussian();
    SymmetricEigen e = SymmetricEigen.of(a);
    for (int c = 0; c < n; c++) {
      if (c > 0) assertTrue(e.values()[c] >= e.values()[c - 1], "ascending");
      // A v = λ v, and the vectors are orthonormal.
      for (int i = 0; i < n; i++) {
        double av = 0;
        for (int j = 0; j < n; j++) av += a[i][j] * e.vectors()[j][c];
        assertEquals(e.values()[c] * e.vectors()[i][c], av, 1e-10);
      }
      for (int c2 = c; c2 < n; c2++) {
        double dot = 0;
        for (int i = 0; i < n; i++) dot += e.vectors()[i][c] * e.vectors()[i][c2];
        assertEquals(c == c2 ? 1.0 : 0.0, dot, 1e-12);
      }
    }
    double trace = 0, sum = 0;
    for (int i = 0; i < n; i++) {
      trace += a[i][i];
      sum += e.values()[i];
    }
    assertEquals(trace, sum, 1e-10);
  }

  @Test
  void diagonalMatrixGivesItsDiagonal() {
    SymmetricEigen e = SymmetricEigen.of(new double[][] {{3, 0, 0}, {0, -1, 0}, {0, 0, 7}});
    assertArrayEquals(new double[] {-1, 3, 7}, e.values(), 1e-14);
  }
}
