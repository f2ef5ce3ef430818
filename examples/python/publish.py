#!/usr/bin/env python3
"""Publish one embedding checkpoint from the shell, through the `vectory` package (python/).

The same client a training loop uses (`vectory.Run(...).log(...)`), for files already on disk:

    python3 examples/python/publish.py --experiment exp --step 3 --embeddings emb.npy --ids ids.txt \
        [--url http://127.0.0.1:8088 | --bootstrap-servers host:9092] [--wait]

Prints the publish answer as JSON; on any error (bad input, found before anything is sent; a server that is
down or refuses; with --wait, a rejection by the pipeline) prints the reason and exits 1.
"""
import argparse
import json
import os
import sys

import numpy as np

try:
    import vectory
except ImportError:  # run from a checkout without `pip install ./python`
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
    import vectory


def main(argv=None):
    p = argparse.ArgumentParser(description="Publish an embedding checkpoint to Vectory.")
    p.add_argument("--url", help="HTTP ingest (`vectory serve-ingest`); default from VECTORY_INGEST_URL / config")
    p.add_argument("--bootstrap-servers", help="publish straight to Kafka instead of over HTTP")
    p.add_argument("--schema-registry", help="with --bootstrap-servers: the registry (else single-object encoding)")
    p.add_argument("--experiment", required=True)
    p.add_argument("--step", type=int, required=True)
    p.add_argument("--space", default="default")
    p.add_argument("--embeddings", required=True, help=".npy file of shape (rows, dim)")
    p.add_argument("--ids", help="text file with one id per line (default: row numbers)")
    p.add_argument("--dataset")
    p.add_argument("--model")
    p.add_argument("--metric", default="cosine")
    p.add_argument("-p", "--param", action="append", default=[], help="key=value training parameter")
    p.add_argument("--wait", action="store_true", help="wait for the pipeline's verdict and print its comparisons")
    a = p.parse_args(argv)
    try:
        vectors = np.load(a.embeddings)
        ids = None
        if a.ids:
            with open(a.ids, encoding="utf-8") as f:
                ids = f.read().splitlines()
        params = {}
        for kv in a.param:
            if "=" not in kv:
                raise vectory.VectoryError(f"--param {kv!r}: expected key=value")
            k, v = kv.split("=", 1)
            params[k] = v
        run = vectory.Run(a.experiment, space=a.space, dataset=a.dataset, model=a.model, params=params,
                          metric=a.metric, run=None, url=a.url, bootstrap_servers=a.bootstrap_servers,
                          schema_registry=a.schema_registry, quiet=True)
        answer = run.log(step=a.step, vectors=vectors, ids=ids, wait=a.wait)
    except (vectory.VectoryError, OSError, ValueError) as e:
        print(f"publish.py: {a.embeddings}: {e}", file=sys.stderr)  # a server's refusal reads "HTTP <status>: <reason>"
        return 1
    print(json.dumps(answer))
    return 0


if __name__ == "__main__":
    sys.exit(main())
