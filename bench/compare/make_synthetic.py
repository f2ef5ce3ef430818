"""Writes a seeded synthetic pair of spaces (same points, two noisy views of clustered data) as float32 .npy."""
import sys
import numpy as np

n, d, seed, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
rng = np.random.default_rng(seed)
centres = rng.standard_normal((max(2, n // 100), d)).astype(np.float32)
labels = rng.integers(0, len(centres), n)
base = centres[labels] + 0.8 * rng.standard_normal((n, d)).astype(np.float32)
a = (base + 0.3 * rng.standard_normal((n, d)).astype(np.float32)).astype(np.float32)
b = (base + 0.3 * rng.standard_normal((n, d)).astype(np.float32)).astype(np.float32)
np.save(f"{out}/synthetic-a.npy", a)
np.save(f"{out}/synthetic-b.npy", b)
print(f"wrote {n} x {d} synthetic pair (seed {seed}) to {out}", file=sys.stderr)
