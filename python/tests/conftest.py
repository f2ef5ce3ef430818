"""Fixtures against the real stack: Kafka and Apicurio (bin/stack, the shared ports or $VECTORY_*), a Streams app
started here with `./vectory pipeline` on topics of this run's own prefix, and `./vectory serve-ingest` on them."""
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import uuid

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "python"))
VECTORY = os.path.join(ROOT, "vectory")
BOOTSTRAP = os.environ.get("VECTORY_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
REGISTRY = os.environ.get("VECTORY_SCHEMA_REGISTRY", "http://127.0.0.1:8081/apis/ccompat/v7")


def reachable(hostport):
    host, port = hostport.split(",")[0].rsplit(":", 1)
    try:
        socket.create_connection((host, int(port)), timeout=3).close()
        return True
    except OSError:
        return False


class Service:
    """A `./vectory` command running for the session; its stderr is kept in a file for the failure message."""

    def __init__(self, name, args, ready, tmp):
        self.log = os.path.join(tmp, name + ".log")
        self.out = os.path.join(tmp, name + ".out")
        env = dict(os.environ, VECTORY_JAVA_OPTS="-Xmx1g")
        self.proc = subprocess.Popen([VECTORY, *args], stdout=open(self.out, "w"), stderr=open(self.log, "w"),
                                     cwd=ROOT, env=env)
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            text = open(self.log).read()
            m = re.search(ready, text)
            if m:
                self.match = m
                return
            if self.proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {self.proc.returncode}:\n{text}")
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"{name} not ready after 240 s:\n{open(self.log).read()}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()


@pytest.fixture(scope="session")
def stack():
    if not reachable(BOOTSTRAP):
        pytest.fail(f"Kafka is not reachable at {BOOTSTRAP}: start the stack (bin/stack up) or set VECTORY_BOOTSTRAP_SERVERS")
    tmp = tempfile.mkdtemp(prefix="vectory-pytest-")
    run = uuid.uuid4().hex[:8]
    prefix = f"pytest-{run}."
    pipeline = Service("pipeline", ["pipeline", "--bootstrap-servers", BOOTSTRAP, "--schema-registry", REGISTRY,
                                    "--topic-prefix", prefix, "--application-id", f"vectory-pytest-{run}",
                                    "--state-dir", os.path.join(tmp, "streams"), "--partitions", "1",
                                    "--metrics-port", "0"], r"running \(Ctrl-C", tmp)
    ingest = Service("serve-ingest", ["serve-ingest", "--port", "0", "--bootstrap-servers", BOOTSTRAP,
                                      "--schema-registry", REGISTRY, "--topic-prefix", prefix],
                     r"listening on (http://[0-9.]+:\d+)", tmp)
    try:
        yield {"prefix": prefix, "url": ingest.match.group(1), "tmp": tmp, "pipeline": pipeline, "ingest": ingest}
    finally:
        ingest.stop()
        pipeline.stop()


def vectory_compare(a, b, tmp, labels=None):
    """`vectory compare --json` on two (vectors, ids) pairs saved as .npz: the offline reference."""
    import numpy as np
    paths = []
    for name, (vectors, ids) in (("a", a), ("b", b)):
        p = os.path.join(tmp, f"{uuid.uuid4().hex}-{name}.npz")
        np.savez(p, vectors=np.asarray(vectors, dtype="<f4"), ids=np.asarray([str(i) for i in ids]))
        paths.append(p)
    args = [VECTORY, "compare", "--json", paths[0], paths[1]]
    if labels is not None:
        csv = os.path.join(tmp, uuid.uuid4().hex + ".csv")
        with open(csv, "w") as f:
            f.write("id,label\n" + "".join(f"{i},{l}\n" for i, l in zip(a[1], labels)))
        args += ["-d", csv, "--id-field", "id", "--label-field", "label"]
    r = subprocess.run(args, capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


OPENSEARCH = os.environ.get("VECTORY_OPENSEARCH", "http://127.0.0.1:9200")


@pytest.fixture(scope="session")
def rejections_sink(stack):
    """A Kafka Connect worker of this run's own with this checkout's sink connector (sink/target/connect-plugin),
    indexing this run's dead-letter topic into the real vectory-dead-letters index (the shared worker reads the
    unprefixed topics, with whatever plugin it was started with). Classpath: the one bin/stack resolved."""
    plugin = os.path.join(ROOT, "sink", "target", "connect-plugin")
    stack_dir = os.environ.get("VECTORY_STACK_DIR", os.path.expanduser("~/.vectory/stack"))
    cp_file = os.path.join(stack_dir, "lib", "connect-4.4.0.classpath")
    if not os.path.isdir(plugin):
        pytest.fail(f"no connector plugin at {plugin}: build it (mvn -pl sink -am package -DskipTests)")
    if not os.path.isfile(cp_file):
        pytest.fail(f"no Connect classpath at {cp_file}: run bin/stack up once (it resolves it)")
    tmp = os.path.join(stack["tmp"], "connect")
    os.makedirs(os.path.join(tmp, "plugins"))
    os.symlink(plugin, os.path.join(tmp, "plugins", "vectory-opensearch-sink"))
    topic = stack["prefix"] + "vectory.dead-letters"
    with open(os.path.join(tmp, "worker.properties"), "w") as f:
        f.write(f"bootstrap.servers={BOOTSTRAP}\nlisteners=http://127.0.0.1:0\n"
                "key.converter=org.apache.kafka.connect.storage.StringConverter\n"
                "value.converter=org.apache.kafka.connect.converters.ByteArrayConverter\n"
                f"offset.storage.file.filename={tmp}/offsets\noffset.flush.interval.ms=1000\n"
                f"plugin.path={tmp}/plugins\nplugin.discovery=service_load\nconsumer.isolation.level=read_committed\n")
    with open(os.path.join(tmp, "sink.properties"), "w") as f:
        f.write(f"name=pytest-rejections-{stack['prefix'].strip('.')}\nconnector.class=io.vectory.sink.OpenSearchSinkConnector\n"
                f"tasks.max=1\ntopics={topic}\ntopic.dead-letters={topic}\nindex.prefix=vectory-\nopensearch.url={OPENSEARCH}\n"
                f"schema.registry.url={REGISTRY}\nkey.converter=org.apache.kafka.connect.storage.StringConverter\n"
                "value.converter=org.apache.kafka.connect.converters.ByteArrayConverter\n"
                "consumer.override.auto.offset.reset=earliest\nerrors.tolerance=none\n")
    java = os.path.join(os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64"), "bin", "java")
    log = open(os.path.join(tmp, "connect.log"), "w")
    proc = subprocess.Popen([java, "-Xmx384m", "-cp", open(cp_file).read().strip(), "org.apache.kafka.connect.cli.ConnectStandalone",
                             os.path.join(tmp, "worker.properties"), os.path.join(tmp, "sink.properties")],
                            stdout=log, stderr=subprocess.STDOUT, cwd=tmp)
    try:
        yield {"log": os.path.join(tmp, "connect.log"), "proc": proc}
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


def opensearch_search(index, body):
    import urllib.request
    req = urllib.request.Request(f"{OPENSEARCH}/{index}/_search", data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:
        if e.code == 404:
            return {"hits": {"hits": []}}
        raise
