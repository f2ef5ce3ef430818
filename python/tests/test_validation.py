"""Bad input is refused naming the problem before anything is sent; ids are normalised; a down server is a
VectoryError. The Run points at a port nothing listens on: a check that ran after sending would fail with
"not reachable" instead of the problem asserted here."""
import socket

import numpy as np
import pytest

import vectory
from vectory import VectoryError


def closed_port_url():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def run():
    return vectory.Run("validation", space="head", url=closed_port_url(), quiet=True)


GOOD = np.arange(12, dtype="f4").reshape(4, 3)


@pytest.mark.parametrize("vectors, ids, metadata, expected", [
    ([[1.0, 2.0], [3.0]], None, None, "ragged rows: row 0 has 2 values, row 1 has 1"),
    (np.array([[1.0, np.nan], [0.0, 1.0]]), None, None, "row 0, column 1 is NaN"),
    (np.array([[1.0, np.inf], [0.0, 1.0]]), None, None, "row 0, column 1 is Inf"),
    (np.array([[1e39, 0.0], [0.0, 1.0]]), None, None, "beyond float32's range"),
    (np.array([["a", "b"], ["c", "d"]]), None, None, "dtype <U1 is not numeric"),
    (np.array([[1 + 2j, 0], [0, 1]]), None, None, "dtype complex128 is not numeric"),
    (np.ones(5), None, None, "expected a 2-D array"),
    (GOOD, [1, 2, 2, 3], None, "duplicate id '2' in rows 1 and 2"),
    (GOOD, [1, 2, 3], None, "3 ids for 4 vectors"),
    (GOOD, [1.5, 2, 3, 4], None, "row 0 is 1.5"),
    (GOOD, None, {"label": [0, 1, 2]}, "column 'label' has 3 values for 4 vectors"),
    (GOOD, None, {"label": "abcd"}, "column 'label' is str"),
    (np.ones((1, 3)), None, None, "a space needs at least 2 points"),
    (np.ones((3, 4097)), None, None, "dimension 4097; expected 1 to 4096"),
    (np.array([[1.0, 2.0], [0.0, 0.0]]), ["a", "b"], None, "row 1 (id 'b') is the zero vector"),
])
def test_bad_input_is_refused_before_sending(run, vectors, ids, metadata, expected):
    with pytest.raises(VectoryError) as e:
        run.log(step=0, vectors=vectors, ids=ids, metadata=metadata)
    assert expected in str(e.value)
    assert "not reachable" not in str(e.value)


def test_bad_step_and_names(run):
    with pytest.raises(VectoryError, match="step: expected 0 or more"):
        run.log(step=-1, vectors=GOOD)
    with pytest.raises(VectoryError, match="without '/' or '@'"):
        vectory.Run("a/b", url=closed_port_url(), quiet=True)
    with pytest.raises(VectoryError, match="control or unprintable character U\\+000A"):
        vectory.Run("a\nb", url=closed_port_url(), quiet=True)


def test_ids_are_normalised():
    torch = pytest.importorskip("torch", reason="python3-torch is not installed")
    ck = vectory.prepare("e", "s", np.int64(3), torch.ones(3, 2), torch.tensor([10, 11, 12]),
                         {"label": torch.tensor([1, 0, 1])})
    assert ck.ids == ["10", "11", "12"] and ck.step == 3
    assert ck.metadata == {"label": ["1", "0", "1"]}
    assert vectory.prepare("e", "s", 0, GOOD, np.array([7, 8, 9, 10], dtype=np.int32)).ids == ["7", "8", "9", "10"]
    assert vectory.prepare("e", "s", 0, GOOD, [b"a", "b", np.int64(1), 2.0]).ids == ["a", "b", "1", "2"]
    assert vectory.prepare("e", "s", 0, [torch.ones(3)] * 2, [torch.tensor(1), torch.tensor(2)]).ids == ["1", "2"]


def test_a_server_that_is_down_is_a_vectory_error(run):
    with pytest.raises(VectoryError, match="is not reachable"):
        run.log(step=0, vectors=GOOD)


def test_kafka_that_is_down_is_a_vectory_error():
    pytest.importorskip("confluent_kafka", reason="python3-confluent-kafka is not installed")
    port = closed_port_url().rsplit(":", 1)[1]
    run = vectory.Run("down", bootstrap_servers=f"127.0.0.1:{port}", schema_registry="none", quiet=True)
    run.transport.timeout = 3
    with pytest.raises(VectoryError, match="not reachable"):
        run.log(step=0, vectors=GOOD)


def test_the_package_installs_with_debians_pip_offline(tmp_path):
    import subprocess, sys, os
    root = os.path.join(os.path.dirname(__file__), "..")
    r = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index",
                        "--target", str(tmp_path), root], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    schemas = os.listdir(tmp_path / "vectory" / "avro")
    assert "SpaceEvent.avsc" in schemas and not os.path.islink(tmp_path / "vectory" / "avro" / "SpaceEvent.avsc")
    r = subprocess.run([sys.executable, "-c", "import vectory, vectory._avro as a; print(sorted(a.schemas()))"],
                       capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(tmp_path)), cwd=str(tmp_path))
    assert r.returncode == 0 and "SpaceEvent" in r.stdout, r.stderr
