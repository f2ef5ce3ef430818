"""serve-ingest started with a bearer token: the client sends it (token=, or $VECTORY_INGEST_TOKEN) and publishes and
waits for the verdict; without it, or with another one, the server answers 401 and the client raises with the reason."""
import uuid

import numpy as np
import pytest

import vectory
from conftest import BOOTSTRAP, REGISTRY, Service


@pytest.fixture(scope="module")
def guarded(stack):
    token = "tok-" + uuid.uuid4().hex
    svc = Service("serve-ingest-token", ["serve-ingest", "--port", "0", "--bootstrap-servers", BOOTSTRAP,
                                         "--schema-registry", REGISTRY, "--topic-prefix", stack["prefix"], "--token", token],
                  r"listening on (http://[0-9.]+:\d+)", stack["tmp"])
    try:
        assert "bearer token required" in open(svc.log).read()
        assert token not in open(svc.log).read(), "the token is never printed"
        yield {"url": svc.match.group(1), "token": token}
    finally:
        svc.stop()


def test_the_client_sends_the_token_and_is_refused_without_it(guarded, monkeypatch):
    monkeypatch.delenv("VECTORY_INGEST_TOKEN", raising=False)
    v = np.random.default_rng(5).normal(size=(20, 8)).astype("<f4")
    ids = [f"p{i}" for i in range(20)]
    run = vectory.Run("py-token", space="head", url=guarded["url"], token=guarded["token"], quiet=True)
    r = run.log(step=0, vectors=v, ids=ids, wait=True)
    assert r["status"] == "published", r
    for kwargs in ({}, {"token": guarded["token"] + "x"}):
        with pytest.raises(vectory.VectoryError) as e:
            vectory.Run("py-token", space="head", url=guarded["url"], quiet=True, **kwargs).log(step=0, vectors=v, ids=ids)
        assert e.value.status == 401, e.value
        assert "this server asks for a token" in str(e.value), e.value
    monkeypatch.setenv("VECTORY_INGEST_TOKEN", guarded["token"])
    r = vectory.Run("py-token", space="head", url=guarded["url"], quiet=True).log(step=0, vectors=v, ids=ids)
    assert r["status"] == "published", r
