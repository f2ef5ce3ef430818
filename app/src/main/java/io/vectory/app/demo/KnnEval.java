package io.vectory.app.demo;

/**
 * k-NN label accuracy under cosine similarity: how well a space's neighbourhoods follow the labels. A query's label
 * is predicted by majority vote of its k nearest candidates (never itself); a tied vote goes to the label whose
 * voter is nearest. Candidate ties in similarity go to the lower row. Used to show (and test) that training helps.
 */
public final class KnnEval {
  private KnnEval() {}

  /** Accuracy of predicting each of {@code queries} from its k nearest among {@code candidates} (a query is never its own neighbour). */
  public static double accuracy(float[] vectors, int dim, int[] label, int[] queries, int[] candidates, int k) {
    int numLabels = 0;
    for (int l : label) numLabels = Math.max(numLabels, l + 1);
    float[] norms = new float[label.length];
    for (int i = 0; i < label.length; i++) {
      double ss = 0;
      for (int c = 0; c < dim; c++) ss += (double) vectors[i * dim + c] * vectors[i * dim + c];
      norms[i] = (float) Math.max(Math.sqrt(ss), 1e-12);
    }
    int[] best = new int[k];
    float[] bestSim = new float[k];
    int[] votes = new int[numLabels];
    int[] firstRank = new int[numLabels];
    int correct = 0;
    for (int q : queries) {
      int found = 0;
      for (int cand : candidates) {
        if (cand == q) continue;
        float dot = 0;
        for (int c = 0; c < dim; c++) dot += vectors[q * dim + c] * vectors[cand * dim + c];
        float sim = dot / (norms[q] * norms[cand]);
        // Insertion into a small sorted list; strict '>' keeps the earlier (lower-row, when candidates ascend) on ties.
        int pos = found;
        while (pos > 0 && sim > bestSim[pos - 1]) pos--;
        if (pos >= k) continue;
        int last = Math.min(found, k - 1);
        for (int s = last; s > pos; s--) {
          best[s] = best[s - 1];
          bestSim[s] = bestSim[s - 1];
        }
        best[pos] = cand;
        bestSim[pos] = sim;
        if (found < k) found++;
      }
      java.util.Arrays.fill(votes, 0);
      java.util.Arrays.fill(firstRank, Integer.MAX_VALUE);
      for (int r = 0; r < found; r++) {
        int l = label[best[r]];
        votes[l]++;
        firstRank[l] = Math.min(firstRank[l], r);
      }
      int predicted = -1;
      for (int l = 0; l < numLabels; l++) {
        if (votes[l] == 0) continue;
        if (predicted < 0 || votes[l] > votes[predicted] || (votes[l] == votes[predicted] && firstRank[l] < firstRank[predicted])) {
          predicted = l;
        }
      }
      if (predicted == label[q]) correct++;
    }
    return queries.length == 0 ? Double.NaN : (double) correct / queries.length;
  }
}
