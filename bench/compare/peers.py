"""The peers on the same data: FAISS exact (IndexFlatIP on L2-normalised vectors, k+1 search, self dropped) and
pynndescent (approximate, what Vectory used). Prints key=value lines for bench/compare.sh.
usage: peers.py A.npy B.npy K THREADS [faiss|pynndescent|both]"""
import sys
import time

import numpy as np


def jaccard_mean(na, nb):
    inter = np.array([len(set(x) & set(y)) for x, y in zip(na.tolist(), nb.tolist())])
    k = na.shape[1]
    return float(np.mean(inter / (2 * k - inter)))


def drop_self(idx, k):
    # Remove each row's own index (wherever the search put it, ties included); keep the first k others.
    n = idx.shape[0]
    out = np.empty((n, k), dtype=np.int64)
    for i in range(n):
        row = idx[i][idx[i] != i]
        out[i] = row[:k]
    return out


def faiss_knn(x, k, threads):
    import faiss
    faiss.omp_set_num_threads(threads)
    x = np.ascontiguousarray(x, dtype=np.float32).copy()
    faiss.normalize_L2(x)
    index = faiss.IndexFlatIP(x.shape[1])
    index.add(x)
    _, idx = index.search(x, k + 1)
    return drop_self(idx, k)


def pynn_knn(x, k, threads):
    import pynndescent
    index = pynndescent.NNDescent(x, metric="cosine", n_neighbors=max(k + 1, 15), random_state=42, n_jobs=threads)
    idx, _ = index.neighbor_graph
    return drop_self(idx[:, : k + 1], k)


def main():
    a, b = np.load(sys.argv[1]), np.load(sys.argv[2])
    k, threads = int(sys.argv[3]), int(sys.argv[4])
    which = sys.argv[5] if len(sys.argv) > 5 else "both"
    if which in ("faiss", "both"):
        t0 = time.perf_counter()
        na, nb = faiss_knn(a, k, threads), faiss_knn(b, k, threads)
        secs = time.perf_counter() - t0
        print(f"faiss_seconds={secs:.3f} faiss_mean_jaccard={jaccard_mean(na, nb):.6f}", flush=True)
    if which in ("pynndescent", "both"):
        t0 = time.perf_counter()
        na, nb = pynn_knn(a, k, threads), pynn_knn(b, k, threads)
        secs = time.perf_counter() - t0
        print(f"pynndescent_seconds={secs:.3f} pynndescent_mean_jaccard={jaccard_mean(na, nb):.6f}", flush=True)


if __name__ == "__main__":
    main()
