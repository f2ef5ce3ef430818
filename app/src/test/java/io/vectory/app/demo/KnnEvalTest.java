package io.vectory.app.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class KnnEvalTest {

  @Test
  void votesByNearestNeighboursAndNeverCountsTheQueryItself() {
    // Two tight clusters on the unit circle plus one point of label 1 sitting inside cluster 0.
    float[] v = {
      1f, 0f, // 0: label 0
      0.99f, 0.1f, // 1: label 0
      0.98f, -0.1f, // 2: label 0
      0f, 1f, // 3: label 1
      0.1f, 0.99f, // 4: label 1
      0.7f, 0.3f, // 5: label 1, but nearer cluster 0
    };
    int[] label = {0, 0, 0, 1, 1, 1};
    int[] all = {0, 1, 2, 3, 4, 5};
    // k=1: 0,1,2 → correct; 3↔4 correct; 5's nearest is 0/1 → wrong. 5 of 6.
    assertEquals(5.0 / 6, KnnEval.accuracy(v, 2, label, all, all, 1), 1e-12);
    // Held-out: queries {5} against candidates {0..4}: predicted 0, wrong.
    assertEquals(0.0, KnnEval.accuracy(v, 2, label, new int[] {5}, new int[] {0, 1, 2, 3, 4}, 3), 1e-12);
    // Query 3 with k=2 among {0,1,2,4,5}: nearest are 4 (label 1) then 5 (label 1) → correct.
    assertEquals(1.0, KnnEval.accuracy(v, 2, label, new int[] {3}, new int[] {0, 1, 2, 4, 5}, 2), 1e-12);
    // Some rows as queries among all: 0 is right, 5 is wrong (its nearest is 1, then 0).
    assertEquals(0.5, KnnEval.accuracy(v, 2, label, new int[] {0, 5}, all, 1), 1e-12);
    // k=3 for 5 among all: 1, 0, 2 (all label 0) outvote nothing of label 1 → wrong; for 4: 3, 5, then 1 → label 1, right.
    assertEquals(0.5, KnnEval.accuracy(v, 2, label, new int[] {5, 4}, all, 3), 1e-12);
  }

  @Test
  void aTiedVoteGoesToTheLabelOfTheNearerVoter() {
    // Query 0 at (1, 0); its two nearest are 1 (label 1, nearer) and 2 (label 0): one vote each, label 1 wins.
    float[] v = {1f, 0f, 0.95f, 0.05f, 0.9f, -0.2f, 0f, 1f};
    int[] label = {0, 1, 0, 1};
    assertEquals(0.0, KnnEval.accuracy(v, 2, label, new int[] {0}, new int[] {1, 2, 3}, 2), 1e-12);
    // Swapped labels of the two voters: the nearer is now label 0 → right.
    assertEquals(1.0, KnnEval.accuracy(v, 2, new int[] {0, 0, 1, 1}, new int[] {0}, new int[] {1, 2, 3}, 2), 1e-12);
  }
}
