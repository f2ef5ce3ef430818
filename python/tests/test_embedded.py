"""`vectory serve-ingest` with nothing configured runs the whole pipeline in its process (in-process broker, Streams
app, embedded store): the client's default needs no other server, and `ls` and `compare` see what it published,
labels included; and what the pipeline rejects, `ls` lists with its reason."""
import json
import os
import subprocess

import numpy as np
import pytest

import vectory
from conftest import ROOT, VECTORY, Service
from vectory import VectoryError


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    tmp = str(tmp_path_factory.mktemp("embedded"))
    env_before = dict(os.environ)
    for k in ("VECTORY_BOOTSTRAP_SERVERS", "VECTORY_SCHEMA_REGISTRY"):
        os.environ.pop(k, None)
    os.environ["VECTORY_CONFIG"] = os.path.join(tmp, "no-such-config.properties")  # nothing configured
    try:
        s = Service("serve-ingest-embedded", ["serve-ingest", "--port", "0", "--data-dir", os.path.join(tmp, "data")],
                    r"listening on (http://[0-9.]+:\d+).*the embedded pipeline \(in-process Kafka ([0-9.]+:\d+)", tmp)
    finally:
        os.environ.clear()
        os.environ.update(env_before)
    yield {"url": s.match.group(1), "kafka": s.match.group(2), "data": os.path.join(tmp, "data")}
    s.stop()


def cli(*args):
    r = subprocess.run([VECTORY, *args], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def test_embedded_pipeline_indexes_into_the_store_with_labels(embedded):
    rng = np.random.default_rng(11)
    x = rng.normal(size=(80, 12)).astype("f4")
    ids = [f"pt-{i}" for i in range(80)]
    labels = [f"c{i % 4}" for i in range(80)]
    run = vectory.Run("py-embedded", space="head", dataset="synthetic", url=embedded["url"], quiet=True)
    run.log(step=0, vectors=x, ids=ids, metadata={"label": labels}, wait=True)
    out = run.log(step=1, vectors=x + 0.4 * rng.normal(size=x.shape), ids=ids, metadata={"label": labels}, wait=True)
    online = {c["relation"]: c for c in out.comparisons}["PREVIOUS"]
    ls = cli("ls", "--data-dir", embedded["data"])
    assert f"{run.experiment}/head@0" in ls and f"{run.experiment}/head@1" in ls, ls
    stored = json.loads(cli("compare", f"{run.experiment}/head@1", f"{run.experiment}/head@0", "--label-field", "label",
                            "--json", "--data-dir", embedded["data"]).strip().splitlines()[-1])
    # The labels the store holds give the per-label means the pipeline computed from the published ones.
    assert stored["label_means"].keys() == {"c0", "c1", "c2", "c3"}
    for label, mean in stored["label_means"].items():
        assert online["label_means"][label] == pytest.approx(mean, abs=1e-12)
    assert online["mean_jaccard"] == pytest.approx(stored["mean_jaccard"], abs=1e-12)


def test_a_checkpoint_the_pipeline_rejects_is_listed_by_ls(embedded, monkeypatch):
    """A raw Kafka-transport publish straight to the embedded broker that passes the client's checks but conflicts with
    what the pipeline accepted (an earlier step): log(wait=True) raises with the reason, and `vectory ls` lists it."""
    # The embedded pipeline reads single-object encoding; under bin/test the environment names the stack's registry,
    # which the client would otherwise frame for (and the embedded pipeline then stops rather than skip the record).
    monkeypatch.delenv("VECTORY_SCHEMA_REGISTRY", raising=False)
    monkeypatch.setenv("VECTORY_CONFIG", os.path.join(embedded["data"], "no-such-config.properties"))
    rng = np.random.default_rng(12)
    x = rng.normal(size=(40, 8)).astype("f4")
    ids = [f"pt-{i}" for i in range(40)]
    name = "py-embedded-reject"
    ahead = vectory.Run(name, space="head", run=None, bootstrap_servers=embedded["kafka"], quiet=True)
    assert ahead.log(step=5, vectors=x, ids=ids, wait=True)["verdict"] == "accepted"
    late = vectory.Run(name, space="head", run=None, bootstrap_servers=embedded["kafka"], quiet=True)
    with pytest.raises(VectoryError, match=r"rejected by the pipeline: .*step: 3 is not after the previous accepted"):
        late.log(step=3, vectors=x, ids=ids, wait=True)
    ls = cli("ls", "--data-dir", embedded["data"], "-e", name)
    section = ls[ls.index("Rejected: 1 "):]
    row = next(l for l in section.splitlines() if f" {name} " in l)
    assert row.split()[2:5] == [name, "head", "3"] and "step: 3 is not after the previous accepted checkpoint" in row, ls
