package io.vectory.core.space;

import io.vectory.core.vectors.FloatMatrix;
import java.util.List;

/** Two spaces' vectors row-aligned by id (in the first space's id order). */
public record AlignedPair(FloatMatrix a, FloatMatrix b, List<String> ids) {}
