"""Both transports against the real stack (Kafka, Apicurio, the Streams app started by conftest): what the pipeline
computes online equals `vectory compare` on the same arrays; labels reach the per-label means; retries, re-runs and
rejections are never silent."""
import json
import os
import subprocess
import time
import uuid

import numpy as np
import pytest

import vectory
from vectory import _avro
from vectory import VectoryError
from conftest import BOOTSTRAP, OPENSEARCH, REGISTRY, ROOT, VECTORY, opensearch_search, vectory_compare

N, D, STEPS = 150, 16, 3


def trajectory(seed):
    """Checkpoints that drift a little each step, ids shuffled (not row numbers), 3 labels."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(N, D))
    out = []
    for _ in range(STEPS):
        out.append(x.astype("<f4"))
        x = x + 0.35 * rng.normal(size=(N, D))
    ids = [f"img-{i}" for i in rng.permutation(N)]
    labels = [f"class-{i % 3}" for i in range(N)]
    return out, ids, labels


def by_relation(result):
    return {c["relation"]: c for c in result.comparisons}


def assert_matches_reference(results, vectors, ids, labels, tmp):
    assert results[0].comparisons == [], "the first checkpoint has nothing to compare with"
    for step in range(1, STEPS):
        got = by_relation(results[step])
        assert set(got) == {"PREVIOUS", "FIRST"}, got.keys()
        for rel, ref_step in (("PREVIOUS", step - 1), ("FIRST", 0)):
            c = got[rel]
            ref = vectory_compare((vectors[step], ids), (vectors[ref_step], ids), tmp, labels)
            assert c["b"]["step"] == ref_step and c["k"] == ref["k"] == 10 and c["n"] == ref["n"] == N
            assert c["mean_jaccard"] == pytest.approx(ref["mean_jaccard"], abs=1e-12)
            assert list(c["histogram"]) == ref["histogram"]
            assert dict(c["label_means"]).keys() == ref["label_means"].keys() == {"class-0", "class-1", "class-2"}
            for label, mean in ref["label_means"].items():
                assert c["label_means"][label] == pytest.approx(mean, abs=1e-12)


def publish_all(run, vectors, ids, labels):
    return [run.log(step=s, vectors=vectors[s], ids=ids, metadata={"label": labels}, wait=True) for s in range(STEPS)]


def test_http_checkpoints_compare_as_vectory_compare(stack):
    vectors, ids, labels = trajectory(1)
    run = vectory.Run("py-http", space="head", dataset="synthetic", model="none", url=stack["url"], quiet=True)
    results = publish_all(run, vectors, ids, labels)
    assert all(r["verdict"] == "accepted" for r in results)
    assert results[0]["metadata_columns"] == ["label"]
    assert_matches_reference(results, vectors, ids, labels, stack["tmp"])


@pytest.mark.parametrize("encoding", ["confluent-wire-format", "single-object"])
def test_kafka_checkpoints_compare_as_vectory_compare(stack, encoding):
    vectors, ids, labels = trajectory(2)
    run = vectory.Run("py-kafka", space="head", dataset="synthetic", model="none", bootstrap_servers=BOOTSTRAP,
                      schema_registry=REGISTRY, topic_prefix=stack["prefix"], quiet=True)
    if encoding == "single-object":  # as a client with no registry writes; the pipeline reads both
        run.transport.writer = _avro.SingleObject()
    # Small chunks: several per checkpoint, as a large space would need.
    run.transport.max_chunk_bytes = 4096
    run.transport.producer()
    run.transport.max_chunk_bytes = 4096
    results = publish_all(run, vectors, ids, labels)
    assert all(r["chunks"] > 1 for r in results)
    assert_matches_reference(results, vectors, ids, labels, stack["tmp"])


def test_a_retried_http_publish_creates_no_duplicate(stack):
    vectors, ids, labels = trajectory(3)
    run = vectory.Run("py-retry", space="head", url=stack["url"], quiet=True)
    ck = vectory.prepare(run.experiment, "head", 0, vectors[0], ids, {"label": labels})
    d = dict(run.description, epoch=None)
    first = run.transport.publish(ck, d)
    again = run.transport.publish(ck, d)  # e.g. the answer to the first was lost and the client sent it again
    assert first["status"] == "published" and again["status"] == "already-published"
    v = run.transport.verdict(ck, None, 60)
    assert v.status == "accepted" and v.reasons == [], v  # a second copy would have been dead-lettered as a duplicate
    nxt = run.log(step=1, vectors=vectors[1], ids=ids, metadata={"label": labels}, wait=True)
    assert sorted(c["relation"] for c in nxt.comparisons) == ["FIRST", "PREVIOUS"]
    # Other data under a published step is refused at publish time, naming the conflict.
    other = vectory.prepare(run.experiment, "head", 0, vectors[2], ids, {"label": labels})
    with pytest.raises(VectoryError, match="already published with other data") as e:
        run.transport.publish(other, d)
    assert e.value.status == 409


def script(url_or_kafka, experiment, ids, vectors, run="auto"):
    """What a training script does: one Run, a checkpoint per epoch, waiting for each verdict."""
    r = vectory.Run(experiment, space="head", run=run, quiet=True, **url_or_kafka)
    return r, [r.log(step=s, vectors=vectors[s], ids=ids, wait=True) for s in range(2)]


@pytest.mark.parametrize("transport", ["http", "kafka"])
def test_the_same_script_twice_is_a_new_run(stack, transport):
    where = {"url": stack["url"]} if transport == "http" else {
        "bootstrap_servers": BOOTSTRAP, "schema_registry": REGISTRY, "topic_prefix": stack["prefix"]}
    vectors, ids, _ = trajectory(4)
    name = "py-rerun-" + uuid.uuid4().hex[:6]
    first, a = script(where, name, ids, vectors)
    second, b = script(where, name, ids, vectors)
    assert first.experiment != second.experiment and first.experiment.startswith(name + ".")
    for results in (a, b):
        assert results[1]["verdict"] == "accepted" and len(results[1].comparisons) == 2
    # A changed id set in the next epoch is refused at publish time, naming the ids.
    with pytest.raises(VectoryError, match=r"ids differ from step 0"):
        second.log(step=2, vectors=vectors[2], ids=list(reversed(ids[:-1])) + ["new-id"])


def test_verbatim_rerun_over_http_is_refused_at_publish_time(stack):
    vectors, ids, _ = trajectory(5)
    name = "py-verbatim-" + uuid.uuid4().hex[:6]
    script({"url": stack["url"]}, name, ids, vectors, run=None)
    r = vectory.Run(name, space="head", run=None, url=stack["url"], quiet=True)
    with pytest.raises(VectoryError, match="already published with other data|step 0 is before") as e:
        r.log(step=0, vectors=vectors[1] + 1, ids=ids)
    assert e.value.status == 409 and "new run" in str(e.value)
    # The server's check of the ids, for any client (the Python one checks first).
    ck = vectory.prepare(name, "head", 5, vectors[0], ids[:-1] + ["other"])
    with pytest.raises(VectoryError, match=r"ids differ from those of step 0.*\[other\] only here") as e:
        r.transport.publish(ck, dict(r.description, epoch=None))
    assert e.value.status == 409


@pytest.mark.parametrize("transport", ["http", "kafka"])
def test_wait_raises_with_the_pipelines_reason(stack, rejections_sink, transport):
    """A checkpoint the pipeline drops (here: an earlier step than one it accepted, sent where no publish-time check
    could know) makes log(wait=True) raise with the pipeline's reason; the sink connector indexes the rejection into
    vectory-dead-letters, and `vectory ls` on OpenSearch lists it."""
    vectors, ids, _ = trajectory(6)
    name = "py-reject-" + uuid.uuid4().hex[:6]
    kafka = {"bootstrap_servers": BOOTSTRAP, "schema_registry": REGISTRY, "topic_prefix": stack["prefix"]}
    ahead = vectory.Run(name, space="head", run=None, quiet=True, **kafka)
    assert ahead.log(step=5, vectors=vectors[0], ids=ids, wait=True)["verdict"] == "accepted"
    late = vectory.Run(name, space="head", run=None, quiet=True, **({"url": stack["url"]} if transport == "http" else kafka))
    with pytest.raises(VectoryError, match=r"rejected by the pipeline: .*step: 3 is not after the previous accepted"):
        late.log(step=3, vectors=vectors[1], ids=ids, wait=True)

    deadline, hits = time.monotonic() + 90, []
    while not hits and time.monotonic() < deadline:
        hits = opensearch_search("vectory-dead-letters", {"query": {"term": {"experiment": name}}})["hits"]["hits"]
        if not hits:
            assert rejections_sink["proc"].poll() is None, open(rejections_sink["log"]).read()[-4000:]
            time.sleep(1)
    assert len(hits) == 1, open(rejections_sink["log"]).read()[-4000:]
    doc = hits[0]["_source"]
    assert (doc["space"], doc["step"], doc["checkpoint"]) == ("head", 3, f"{name}/head@3")
    assert "step: 3 is not after the previous accepted checkpoint" in doc["reason"]
    r = subprocess.run([VECTORY, "ls", "--opensearch", OPENSEARCH, "-e", name], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stdout + r.stderr
    section = r.stdout[r.stdout.index("Rejected: 1 "):]
    row = next(l for l in section.splitlines() if f" {name} " in l)
    assert row.split()[2:5] == [name, "head", "3"] and "is not after the previous accepted checkpoint" in row, r.stdout
