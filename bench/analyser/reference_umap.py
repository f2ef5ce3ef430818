"""The reference UMAP: Debian umap-learn on the bench's space A, as the analyser projects it.

python3 reference_umap.py A.npy N_NEIGHBORS MIN_DIST SEED
Prints "umap_learn_fit_s=..." (fit_transform alone; the whole process is timed by the caller).
"""
import sys
import time

import numpy as np
import umap

path, n_neighbors, min_dist, seed = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
x = np.load(path, mmap_mode="r")
x = np.ascontiguousarray(x, dtype=np.float32)
# The analyser's space is a cosine one: umap-learn searches its neighbours by cosine too.
reducer = umap.UMAP(n_neighbors=n_neighbors, min_dist=min_dist, metric="cosine", random_state=seed)
t0 = time.perf_counter()
xy = reducer.fit_transform(x)
fit = time.perf_counter() - t0
print(f"umap_learn_fit_s={fit:.2f} n={x.shape[0]} d={x.shape[1]} layout={xy.shape}")
