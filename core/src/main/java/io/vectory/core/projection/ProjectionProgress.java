package io.vectory.core.projection;

/** Told how far a projection has got: the stage ("pca", "knn", "graph", "layout") and progress within it. */
@FunctionalInterface
public interface ProjectionProgress {
  ProjectionProgress NONE = (stage, done, total) -> {};

  void progress(String stage, long done, long total);
}
