package io.vectory.core.compare;

import java.util.Locale;

/** The distance a k-NN search ranks by. Same symbols as {@code io.vectory.avro.Metric}. */
public enum Metric {
  /** 1 − cos(a, b); every vector must be non-zero. */
  COSINE,
  /** The Euclidean (L2) distance; ranked by its square, which orders the same. */
  EUCLIDEAN,
  /** −(a · b): the largest inner product is the nearest. */
  DOT;

  /** Accepts cosine, euclidean, l2 and dot, in any case. */
  public static Metric parse(String s) {
    return switch (s == null ? "" : s.strip().toLowerCase(Locale.ROOT)) {
      case "cosine", "cos" -> COSINE;
      case "euclidean", "l2" -> EUCLIDEAN;
      case "dot", "ip", "inner_product" -> DOT;
      default -> throw new IllegalArgumentException("unknown metric '" + s + "'; expected cosine, euclidean (l2) or dot");
    };
  }

  /** The lower-case name used in output and JSON. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
