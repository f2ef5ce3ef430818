"""Independent brute-force reference for the compare engine, in NumPy (float64, full distance matrix):
for each metric and include_self, each point's k nearest by argsort(kind='stable') -- ties by lower index --
then per-point Jaccard, its mean and np.histogram(bins=10, range=(0, 1)).
usage: reference.py A.npy B.npy K OUT.json"""
import json
import sys

import numpy as np


def distances(x, metric):
    x = x.astype(np.float64)
    if metric == "cosine":
        xn = x / np.linalg.norm(x, axis=1, keepdims=True)
        return 1.0 - xn @ xn.T
    if metric == "euclidean":
        # Row by row, directly: sum((q - x)^2), no |a|^2 + |b|^2 - 2ab cancellation.
        return np.stack([((x - x[i]) ** 2).sum(axis=1) for i in range(len(x))])
    if metric == "dot":
        return -(x @ x.T)
    raise ValueError(metric)


def knn(dist, k, include_self):
    dist = dist.copy()
    if not include_self:
        np.fill_diagonal(dist, np.inf)
    return np.argsort(dist, axis=1, kind="stable")[:, :k]


def jaccards(na, nb):
    k = na.shape[1]
    inter = np.array([len(set(x) & set(y)) for x, y in zip(na.tolist(), nb.tolist())], dtype=np.float64)
    return inter / (2 * k - inter)


def main():
    a, b = np.load(sys.argv[1]), np.load(sys.argv[2])
    k = int(sys.argv[3])
    out = {"n": int(a.shape[0]), "k": k, "source": "bench/compare/reference.py (numpy " + np.__version__ + ")", "cases": []}
    for metric in ("cosine", "euclidean"):
        da, db = distances(a, metric), distances(b, metric)
        for include_self in (False, True):
            j = jaccards(knn(da, k, include_self), knn(db, k, include_self))
            hist, _ = np.histogram(j, bins=10, range=(0.0, 1.0))
            out["cases"].append({"metric": metric, "include_self": include_self, "mean_jaccard": float(j.mean()),
                                 "histogram": [int(h) for h in hist]})
    # The MiniLM vectors are unit length, so euclidean ranks like cosine; rows scaled by 1 + (i mod 7)/4
    # (a float32 multiply, reproduced in the Java test) make euclidean rank differently.
    scale = (1.0 + (np.arange(len(a)) % 7) / 4.0).astype(np.float32)[:, None]
    sa, sb = (a * scale).astype(np.float32), (b * scale).astype(np.float32)
    da, db = distances(sa, "euclidean"), distances(sb, "euclidean")
    for include_self in (False, True):
        j = jaccards(knn(da, k, include_self), knn(db, k, include_self))
        hist, _ = np.histogram(j, bins=10, range=(0.0, 1.0))
        out["cases"].append({"metric": "euclidean", "include_self": include_self, "scaled_rows": True,
                             "mean_jaccard": float(j.mean()), "histogram": [int(h) for h in hist]})
    # Linear CKA (Kornblith et al. 2019), float64, feature-space form.
    xa = a.astype(np.float64) - a.astype(np.float64).mean(axis=0)
    xb = b.astype(np.float64) - b.astype(np.float64).mean(axis=0)
    cka = np.linalg.norm(xb.T @ xa) ** 2 / (np.linalg.norm(xa.T @ xa) * np.linalg.norm(xb.T @ xb))
    out["cka"] = float(cka)
    with open(sys.argv[4], "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
