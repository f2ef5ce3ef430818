"""Pinned scikit-learn answers for the projection tests (PcaTest, TrustworthinessTest).

Input: core/src/test/resources/real/minilm.npy (600 x 384, float32, the MiniLM fortunes fixture), rows scaled
to unit length (the analyser projects cosine spaces from unit rows). Output: JSON with sklearn's PCA (top 10
components, explained variance, explained variance ratio) and sklearn.manifold.trustworthiness of the 2-D PCA
layout against the original rows, cosine, for k = 5, 10, 20.

Regenerate (Debian's python3-sklearn):
  /usr/bin/python3 core/src/test/resources/io/vectory/core/projection/reference.py \
      core/src/test/resources/real/minilm.npy core/src/test/resources/io/vectory/core/projection/minilm-pca.json
"""
import json
import sys

import numpy as np
import sklearn
from sklearn.decomposition import PCA
from sklearn.manifold import trustworthiness

x = np.load(sys.argv[1]).astype(np.float64)
u = x / np.linalg.norm(x, axis=1, keepdims=True)
pca = PCA(n_components=10, svd_solver="full").fit(u)
layout = pca.transform(u)[:, :2]
out = {
    "source": sys.argv[1],
    "sklearn": sklearn.__version__,
    "rows": "unit length",
    "components": pca.components_.tolist(),
    "explained_variance": pca.explained_variance_.tolist(),
    "explained_variance_ratio": pca.explained_variance_ratio_.tolist(),
    "pc12_first5": layout[:5].tolist(),
    "trustworthiness_pca2_cosine": {str(k): trustworthiness(u, layout, n_neighbors=k, metric="cosine") for k in (5, 10, 20)},
}
with open(sys.argv[2], "w") as f:
    json.dump(out, f)
print({k: v for k, v in out.items() if k.startswith("trust") or k == "explained_variance_ratio"})
