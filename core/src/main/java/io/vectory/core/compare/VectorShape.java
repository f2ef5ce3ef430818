package io.vectory.core.compare;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API kernel's shape on this machine, apart from the kernel, which {@link DotKernel#best} warms up when it
 * chooses it: the scalar kernel of small jobs takes the same width without that cost ({@link DotKernel#forWork}).
 */
final class VectorShape {
  private VectorShape() {}

  static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  /** true: 8 rows × 3 vectors; false: 6 rows × 2 vectors (see {@link VectorDotKernel}). */
  static final boolean WIDE = wide();

  /** Columns of a B panel: 3 or 2 vectors. */
  static int width() {
    return (WIDE ? 3 : 2) * SPECIES.length();
  }

  private static boolean wide() {
    String forced = System.getProperty("vectory.kernel", "");
    if (forced.equals("8x3")) return true;
    if (forced.equals("6x2")) return false;
    String arch = System.getProperty("os.arch", "");
    boolean x86 = arch.equals("amd64") || arch.equals("x86_64") || arch.equals("x86");
    return !x86 || SPECIES.vectorBitSize() >= 512;
  }
}
