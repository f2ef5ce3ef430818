#!/usr/bin/env python3
"""Publish an embedding checkpoint to Vectory's HTTP ingest (`vectory serve-ingest`).

Needs only the Python standard library and numpy. From a PyTorch loop, once per epoch:

    from publish import publish
    emb = model.encode(eval_batch).detach().cpu().numpy()          # (rows, dim) float32
    publish(emb, ids=eval_ids, experiment="resnet-run-7", step=epoch,
            space="penultimate", dataset="cifar10-val", model="resnet18", params={"lr": lr})

The whole checkpoint is published in one Kafka transaction before the server answers, so a
consumer sees it whole or not at all. Or from the shell:

    python3 publish.py --url http://127.0.0.1:8088 --experiment exp --step 3 --embeddings emb.npy --ids ids.txt
"""
import argparse
import io
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

import numpy as np

DEFAULT_URL = "http://127.0.0.1:8088"


class VectoryError(Exception):
    """The server refused the checkpoint; `status` is the HTTP status, the message its reason."""

    def __init__(self, status, message):
        super().__init__(f"HTTP {status}: {message}")
        self.status = status


def publish(vectors, ids=None, *, experiment, step, url=DEFAULT_URL, space="default", dataset=None,
            model=None, metric=None, epoch=None, params=None, timeout=600):
    """POSTs `vectors` (rows x dim) and optional `ids` (one per row; default row numbers) as an .npz.

    Returns the server's JSON answer, e.g. {"checkpoint": "exp/default@3", "rows": ..., "chunks": ...}.
    """
    vectors = np.ascontiguousarray(vectors, dtype="<f4")
    if vectors.ndim != 2:
        raise ValueError(f"vectors must be 2-D (rows, dim), got shape {vectors.shape}")
    arrays = {"vectors": vectors}
    if ids is not None:
        ids = [str(i) for i in ids]
        if len(ids) != vectors.shape[0]:
            raise ValueError(f"{len(ids)} ids for {vectors.shape[0]} vectors")
        arrays["ids"] = np.asarray(ids, dtype=str)
    body = io.BytesIO()
    np.savez(body, **arrays)
    query = {"space": space}
    for key, value in (("dataset", dataset), ("model", model), ("metric", metric), ("epoch", epoch)):
        if value is not None:
            query[key] = str(value)
    for key, value in (params or {}).items():
        query["param." + key] = str(value)
    target = (f"{url.rstrip('/')}/v1/experiments/{urllib.parse.quote(experiment, safe='')}"
              f"/checkpoints/{int(step)}?{urllib.parse.urlencode(query)}")
    request = urllib.request.Request(target, data=body.getvalue(), method="POST",
                                     headers={"Content-Type": "application/x-npz"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.load(response)
    except urllib.error.HTTPError as e:
        text = e.read().decode("utf-8", "replace")
        try:
            text = json.loads(text).get("error", text)
        except ValueError:
            pass
        raise VectoryError(e.code, text) from None


def main(argv=None):
    p = argparse.ArgumentParser(description="Publish an embedding checkpoint to Vectory's HTTP ingest.")
    p.add_argument("--url", default=DEFAULT_URL)
    p.add_argument("--experiment", required=True)
    p.add_argument("--step", type=int, required=True)
    p.add_argument("--space", default="default")
    p.add_argument("--embeddings", required=True, help=".npy file of shape (rows, dim)")
    p.add_argument("--ids", help="text file with one id per line (default: row numbers)")
    p.add_argument("--dataset")
    p.add_argument("--model")
    p.add_argument("--metric")
    p.add_argument("-p", "--param", action="append", default=[], help="key=value training parameter")
    a = p.parse_args(argv)
    vectors = np.load(a.embeddings)
    ids = None
    if a.ids:
        with open(a.ids, encoding="utf-8") as f:
            ids = f.read().splitlines()
    params = dict(kv.split("=", 1) for kv in a.param)
    try:
        answer = publish(vectors, ids, experiment=a.experiment, step=a.step, url=a.url, space=a.space,
                         dataset=a.dataset, model=a.model, metric=a.metric, params=params)
    except VectoryError as e:
        print(f"publish.py: {e}", file=sys.stderr)
        return 1
    print(json.dumps(answer))
    return 0


if __name__ == "__main__":
    sys.exit(main())
