#!/usr/bin/env python3
"""Vectory's study on real data: the same small CNN trained on scikit-learn's digits (1,797 real 8x8 images, shipped
with python3-sklearn) twice -- once with a triplet loss, once with ArcFace (additive angular margin) -- publishing the
validation embeddings every epoch. The pipeline compares each run's checkpoints as they land (previous and first
epoch); the script ends by comparing the two final spaces, the number Vectory's blog post reports for ResNet50
triplet vs ArcFace on Tiny ImageNet.

    ./vectory serve-ingest &                                # or: --bootstrap-servers 127.0.0.1:9092 [--schema-registry URL]
    /usr/bin/python3 examples/pytorch/digits_study.py       # ~1 minute on 2 cores

Needs python3-torch, python3-sklearn, python3-numpy and the vectory package (pip install ./python, or PYTHONPATH=python).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))  # the package, when not pip-installed
import vectory  # noqa: E402
from vectory.torch import embed  # noqa: E402

VECTORY = os.path.abspath(os.path.join(HERE, "..", "..", "vectory"))
DIM = 32


class SmallCnn(nn.Module):
    """8x8 grey image -> 32-d unit-length embedding."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.head = nn.Linear(32 * 4 * 4, DIM)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return F.normalize(self.head(x.flatten(1)), dim=1)


def triplet_loss(emb, labels, margin=0.2):
    """Batch-hard triplets: each anchor's farthest positive and nearest negative in the batch."""
    d = torch.cdist(emb, emb)
    same = labels[:, None] == labels[None, :]
    hardest_pos = (d * same).max(1).values
    hardest_neg = (d + same * 1e9).min(1).values
    return F.relu(hardest_pos - hardest_neg + margin).mean()


class ArcFace(nn.Module):
    """Additive angular margin (Deng et al. 2019): logits s*cos(theta + m) for the true class."""

    def __init__(self, classes=10, s=16.0, m=0.3):
        super().__init__()
        self.w = nn.Parameter(torch.randn(classes, DIM) * 0.1)
        self.s, self.m = s, m

    def forward(self, emb, labels):
        cos = emb @ F.normalize(self.w, dim=1).T
        theta = torch.acos(cos.clamp(-1 + 1e-6, 1 - 1e-6))
        target = torch.cos(theta + self.m)
        onehot = F.one_hot(labels, cos.shape[1]).bool()
        return F.cross_entropy(self.s * torch.where(onehot, target, cos), labels)


def train(loss_name, data, args, where):
    x_train, y_train, x_val, y_val, val_ids = data
    torch.manual_seed(args.seed)
    model = SmallCnn()
    arc = ArcFace() if loss_name == "arcface" else None
    params = list(model.parameters()) + (list(arc.parameters()) if arc else [])
    opt = torch.optim.Adam(params, lr=args.lr)
    train_loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x_train, y_train), batch_size=128, shuffle=True)
    val_loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x_val, y_val), batch_size=512)
    run = vectory.Run(f"{args.experiment}-{loss_name}", space="head", dataset="sklearn-digits-val", model="small-cnn-32",
                      params={"loss": loss_name, "lr": args.lr, "batch": 128, "seed": args.seed}, **where)
    last = None
    for epoch in range(args.epochs):
        model.train()
        for xb, yb in train_loader:
            emb = model(xb)
            loss = arc(emb, yb) if arc else triplet_loss(emb, yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
        vectors, labels = embed(model, val_loader)
        r = run.log(step=epoch, epoch=epoch, vectors=vectors, ids=val_ids, metadata={"label": labels}, wait=True)
        prev = next((c for c in r.comparisons if c["relation"] == "PREVIOUS"), None)
        print(f"{loss_name:8s} epoch {epoch}: loss {loss.item():.3f}; "
              + (f"k-NN Jaccard with epoch {epoch - 1}: {prev['mean_jaccard']:.3f}" if prev else "first checkpoint"), flush=True)
        last = vectors
    run.close()
    return run.experiment, last


def compare_final(a, b, ids, labels):
    """`vectory compare` on the two final spaces (saved as .npz): exact k-NN Jaccard, k=10, self excluded."""
    tmp = tempfile.mkdtemp(prefix="vectory-digits-")
    paths = []
    for name, v in (("triplet", a), ("arcface", b)):
        p = os.path.join(tmp, name + ".npz")
        np.savez(p, vectors=v, ids=np.asarray(ids))
        paths.append(p)
    csv = os.path.join(tmp, "labels.csv")
    with open(csv, "w") as f:
        f.write("id,label\n" + "".join(f"{i},{l}\n" for i, l in zip(ids, labels)))
    r = subprocess.run([VECTORY, "compare", "--json", *paths, "-d", csv, "--id-field", "id", "--label-field", "label"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit("vectory compare failed: " + r.stderr)
    return json.loads(r.stdout)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--experiment", default="digits")
    p.add_argument("--url", help="vectory serve-ingest (default: $VECTORY_INGEST_URL or http://127.0.0.1:8088)")
    p.add_argument("--bootstrap-servers", help="publish straight to Kafka instead")
    p.add_argument("--schema-registry", help="with --bootstrap-servers: Confluent-API registry (default: $VECTORY_SCHEMA_REGISTRY)")
    p.add_argument("--topic-prefix", default="")
    args = p.parse_args()
    torch.set_num_threads(min(2, os.cpu_count() or 1))
    where = ({"bootstrap_servers": args.bootstrap_servers, "schema_registry": args.schema_registry,
              "topic_prefix": args.topic_prefix} if args.bootstrap_servers else {"url": args.url})

    digits = load_digits()
    x = torch.tensor(digits.images / 16.0, dtype=torch.float32)[:, None]
    y = torch.tensor(digits.target)
    idx = np.arange(len(y))
    tr, va = train_test_split(idx, test_size=0.2, random_state=0, stratify=digits.target)
    val_ids = [f"digit-{i}" for i in va]  # the dataset's own row numbers: the same points every epoch and run
    data = (x[tr], y[tr], x[va], y[va], val_ids)

    t0 = time.monotonic()
    exp_t, final_t = train("triplet", data, args, where)
    exp_a, final_a = train("arcface", data, args, where)
    c = compare_final(final_t, final_a, val_ids, y[va].numpy())
    print(f"\nfinal spaces, triplet vs ArcFace ({c['n']} validation digits, k={c['k']}, cosine, self excluded, exact): "
          f"mean k-NN Jaccard {c['mean_jaccard']:.3f}, linear CKA {c['cka']:.3f}")
    print("per label: " + ", ".join(f"{k}: {v:.2f}" for k, v in sorted(c["label_means"].items())))
    print(f"(Vectory's blog post reports this number for ResNet50 triplet vs ArcFace on Tiny ImageNet.) {time.monotonic() - t0:.0f} s")
    last = args.epochs - 1
    print("\nwhere to look:")
    print(f"  ./vectory ls                       the checkpoints of {exp_t} and {exp_a}")
    print(f"  ./vectory report {exp_t}     Jaccard across the epochs of one run")
    print(f"  ./vectory compare {exp_t}/head@{last} {exp_a}/head@{last}")
    print("  ./vectory run                      the web analyser (neighbours, labels, per-label Jaccard)")

if __name__ == "__main__":
    main()
