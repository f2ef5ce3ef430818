"""Over HTTP to `vectory serve-ingest`, with the standard library only: the checkpoint as an .npz (vectors,
ids, one string array per metadata column), the server's publish-time checks, and its verdict endpoint."""
import io
import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request

import numpy as np

from .errors import VectoryError
from .verdict import Verdict

RESERVED = ("vectors", "embeddings", "ids")


class HttpTransport:
    def __init__(self, url, timeout=600, retries=3, token=None):
        self.url = url.rstrip("/")
        # Sent as 'Authorization: Bearer <token>' when serve-ingest was started with a token (never printed).
        self._auth = {"Authorization": "Bearer " + token} if token else {}
        self.timeout = timeout
        self.retries = retries

    def describe(self):
        return f"HTTP {self.url} (vectory serve-ingest)"

    def _path(self, ck, suffix=""):
        return (f"{self.url}/v1/experiments/{urllib.parse.quote(ck.experiment, safe='')}/checkpoints/{ck.step}{suffix}")

    def _call(self, req, what, timeout):
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, json.load(r)
        except urllib.error.HTTPError as e:
            text = e.read().decode("utf-8", "replace")
            try:
                text = json.loads(text).get("error", text)
            except ValueError:
                pass
            raise VectoryError(f"{what}: HTTP {e.code}: {text}", status=e.code) from None
        except (urllib.error.URLError, ConnectionError, socket.timeout, OSError) as e:
            reason = getattr(e, "reason", e)
            raise _Unreachable(f"{what}: vectory serve-ingest at {self.url} is not reachable ({reason}); "
                               "start it with `./vectory serve-ingest` or pass url=") from None

    def publish(self, ck, description):
        for name in ck.metadata:
            if name in RESERVED:
                raise VectoryError(f"metadata: column name {name!r} is reserved for the checkpoint's arrays {RESERVED}")
        arrays = {"vectors": ck.vectors, "ids": np.asarray(ck.ids, dtype=str)}
        for name, values in ck.metadata.items():
            arrays[name] = np.asarray(values, dtype=str)
        body = io.BytesIO()
        np.savez(body, **arrays)
        q = {"space": ck.space, "dataset": description["dataset"], "model": description["model"],
             "metric": description["metric"], "id_field": ck.id_field}
        if description.get("epoch") is not None:
            q["epoch"] = str(description["epoch"])
        for k, v in (description.get("params") or {}).items():
            q["param." + k] = str(v)
        data = body.getvalue()
        # Safe to retry: the server answers a checkpoint it already published with the same data as such.
        for attempt in range(1, self.retries + 1):
            req = urllib.request.Request(self._path(ck) + "?" + urllib.parse.urlencode(q), data=data, method="POST",
                                         headers={"Content-Type": "application/x-npz", **self._auth})
            try:
                status, answer = self._call(req, "serve-ingest", self.timeout)
                answer["attempts"] = attempt
                return answer
            except _Unreachable as e:
                if attempt == self.retries:
                    raise VectoryError(str(e), checkpoint=ck.name) from None
                time.sleep(0.5 * attempt)
            except VectoryError as e:
                if e.status in (502, 503, 504) and attempt < self.retries:
                    time.sleep(0.5 * attempt)
                    continue
                raise VectoryError(e.reason, status=e.status, checkpoint=ck.name) from None

    def positions(self):
        return None  # the server watches the pipeline's topics from its own start

    def verdict(self, ck, positions, timeout):
        q = urllib.parse.urlencode({"space": ck.space, "timeout_ms": int(timeout * 1000)})
        req = urllib.request.Request(self._path(ck, "/verdict") + "?" + q, method="GET", headers=dict(self._auth))
        try:
            _, a = self._call(req, ck.name + " verdict", timeout + 30)
        except _Unreachable as e:
            raise VectoryError(str(e), checkpoint=ck.name) from None
        return Verdict(a["verdict"], a.get("comparisons", []), a.get("reasons", []))

    def close(self):
        pass


class _Unreachable(VectoryError):
    pass
