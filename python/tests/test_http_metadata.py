"""serve-ingest's metadata over multipart: a CSV part validated as `vectory add -d` validates its CSV."""
import io
import json
import urllib.error
import urllib.request
import uuid

import numpy as np
import pytest


def post_multipart(url, experiment, step, vectors, ids, csv):
    b = "vectory" + uuid.uuid4().hex
    npy = io.BytesIO()
    np.save(npy, np.asarray(vectors, dtype="<f4"))
    parts = [("vectors", npy.getvalue()), ("ids", "\n".join(ids).encode()), ("metadata", csv.encode())]
    body = b"".join(f"--{b}\r\nContent-Disposition: form-data; name=\"{n}\"\r\n\r\n".encode() + v + b"\r\n" for n, v in parts)
    body += f"--{b}--\r\n".encode()
    req = urllib.request.Request(f"{url}/v1/experiments/{experiment}/checkpoints/{step}?space=head", data=body, method="POST",
                                 headers={"Content-Type": f"multipart/form-data; boundary={b}"})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_multipart_csv_metadata_is_validated_and_published(stack):
    exp = "py-multipart-" + uuid.uuid4().hex[:6]
    v = np.random.default_rng(3).normal(size=(5, 4))
    ids = [f"r{i}" for i in range(5)]
    status, a = post_multipart(stack["url"], exp, 0, v, ids, "id,label,note\n" + "".join(f"r{i},L{i % 2},n{i}\n" for i in range(5)))
    assert status == 202 and a["metadata_columns"] == ["id", "label", "note"], a  # as `vectory add -d` without --id-field
    status, a = post_multipart(stack["url"], exp, 1, v, ids, "id,label\nr0,x\nr1,y\n")
    assert status == 400 and "2 data rows" in a["error"] and "5 vectors" in a["error"], a
