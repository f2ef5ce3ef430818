"""`vectory.Run`: one training run's checkpoints, published through one transport."""
import datetime
import os
import sys
import uuid

from . import checkpoint as _ck
from .errors import VectoryError
from .verdict import Verdict, comparison_summary

DEFAULT_URL = "http://127.0.0.1:8088"  # `vectory serve-ingest` with no flags
DEFAULT_BOOTSTRAP = "127.0.0.1:9092"


def _config_file():
    path = os.environ.get("VECTORY_CONFIG") or os.path.join(os.path.expanduser("~"), ".vectory", "config.properties")
    out = {}
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if line and not line.startswith(("#", "!")) and "=" in line:
                    k, v = line.split("=", 1)
                    out[k.strip()] = v.strip()
    except FileNotFoundError:
        pass
    except OSError as e:
        raise VectoryError(f"cannot read config file {path}: {e}") from None
    return out


def transport(url=None, bootstrap_servers=None, schema_registry=None, topic_prefix="", kafka_config=None, token=None):
    """HTTP when a url (or nothing) is given: the flag, $VECTORY_INGEST_URL, ingest.url in ~/.vectory/config.properties,
    else serve-ingest's default address. Kafka when bootstrap_servers is given (registry: the flag,
    $VECTORY_SCHEMA_REGISTRY, schema.registry.url in the file, else single-object encoding). Over HTTP, the bearer token
    serve-ingest asks for: token=, else $VECTORY_INGEST_TOKEN, else ingest.token in the file (none: no header)."""
    conf = _config_file()
    if bootstrap_servers:
        from ._kafka import KafkaTransport
        registry = schema_registry or os.environ.get("VECTORY_SCHEMA_REGISTRY") or conf.get("schema.registry.url")
        if registry and registry.lower() == "none":
            registry = None
        return KafkaTransport(bootstrap_servers, registry, topic_prefix, config=kafka_config,
                              registry_auth=conf.get("basic.auth.user.info"))
    return __import__("vectory._http", fromlist=["HttpTransport"]).HttpTransport(
        url or os.environ.get("VECTORY_INGEST_URL") or conf.get("ingest.url") or DEFAULT_URL,
        token=token or os.environ.get("VECTORY_INGEST_TOKEN") or conf.get("ingest.token") or None)


def new_run_id():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%d-%H%M%S") + "-" + uuid.uuid4().hex[:4]


class Logged(dict):
    """What `Run.log` did: the publish answer (checkpoint, rows, chunks, status) and, with wait=True, the verdict."""

    @property
    def comparisons(self):
        return self.get("comparisons", [])


class Run:
    """One run of a training script.

    ``run="auto"`` (default) publishes under ``<experiment>.<UTC time>-<4 hex>``, so running the same script again
    is a new run, never a clash with the last one's steps; ``run=None`` uses the experiment name as given (the
    steps must then continue after what was published under it, or the publish is refused); any other string is
    used as the run id.
    """

    def __init__(self, experiment, space="default", dataset=None, model=None, params=None, metric="cosine",
                 run="auto", url=None, bootstrap_servers=None, schema_registry=None, topic_prefix="",
                 kafka_config=None, verdict_timeout=120, quiet=False, token=None):
        _ck.check_name("experiment", experiment)
        _ck.check_name("space", space)
        if metric.lower() not in _ck.METRICS:
            raise VectoryError(f"metric: {metric!r}; expected one of {', '.join(_ck.METRICS)}")
        self.base = experiment
        self.run_id = new_run_id() if run == "auto" else run
        self.experiment = experiment if not self.run_id else f"{experiment}.{self.run_id}"
        _ck.check_name("experiment", self.experiment)
        self.space = space
        self.params = {str(k): str(v) for k, v in (params or {}).items()}
        if self.run_id:
            self.params.setdefault("run", self.run_id)
        for what, name in (("dataset", dataset), ("model", model)):
            if name is not None:
                _ck.check_printable(what, name)
        self.description = {"dataset": dataset or "unknown", "model": model or "unknown", "metric": metric.lower(),
                            "params": self.params}
        self.verdict_timeout = verdict_timeout
        self.quiet = quiet
        self.transport = transport(url, bootstrap_servers, schema_registry, topic_prefix, kafka_config, token=token)
        self._spaces = {}  # space -> {"last": step, "ids": (count, frozenset), "first": step, "steps": {step: fp}}
        self._say(f"run {self.experiment} → {self.transport.describe()}")

    def _say(self, msg):
        if not self.quiet:
            print("vectory: " + msg, file=sys.stderr, flush=True)

    def log(self, step, vectors, ids=None, metadata=None, space=None, epoch=None, wait=False, timeout=None):
        """Publishes one checkpoint. Everything is checked before anything is sent. With ``wait=True``, waits for the
        pipeline's verdict and returns its comparisons (an accepted checkpoint), or raises VectoryError with the
        pipeline's reason (a rejected one, or none within ``timeout`` seconds)."""
        space = _ck.check_name("space", space or self.space)
        ck = _ck.prepare(self.experiment, space, step, vectors, ids, metadata, self.description["metric"])
        seen = self._spaces.setdefault(space, {"steps": {}})
        fp = ck.fingerprint()
        if ck.step in seen["steps"]:
            if seen["steps"][ck.step]["fp"] != fp:
                raise VectoryError(f"{ck.name} was already published in this run with other data; "
                                   "log each step once (or a later step)", checkpoint=ck.name)
            self._say(f"{ck.name}: already published with the same data; not sent again")
            return seen["steps"][ck.step]["result"]
        if "last" in seen and ck.step < seen["last"]:
            raise VectoryError(f"{ck.name}: step {ck.step} is before step {seen['last']}, already published in this run; "
                               "the pipeline accepts increasing steps only", checkpoint=ck.name)
        if "ids" in seen and set(ck.ids) != seen["ids"]:
            only_here = sorted(set(ck.ids) - seen["ids"])
            only_there = sorted(seen["ids"] - set(ck.ids))
            raise VectoryError(
                f"{ck.name}: the ids differ from step {seen['first']} of this space ({len(only_here)} only here, "
                f"e.g. {only_here[:3]}; {len(only_there)} only there, e.g. {only_there[:3]}); the pipeline compares "
                "checkpoints of a space over the same points: log the same ids every step, or use another space or run",
                checkpoint=ck.name)
        description = dict(self.description, epoch=None if epoch is None else int(epoch))
        positions = self.transport.positions() if wait else None
        answer = Logged(self.transport.publish(ck, description))
        answer.setdefault("experiment", self.experiment)
        self._say(f"{ck.name}: {answer.get('status')} ({ck.rows} × {ck.dimension}, {answer.get('chunks')} chunk(s))")
        seen["steps"][ck.step] = {"fp": fp, "result": answer}
        seen["last"] = ck.step
        seen.setdefault("first", ck.step)
        seen.setdefault("ids", set(ck.ids))
        if wait:
            v = self.verdict(ck, positions, timeout or self.verdict_timeout)
            answer["verdict"] = v.status
            answer["comparisons"] = v.comparisons
        return answer

    def verdict(self, ck, positions=None, timeout=None):
        v = self.transport.verdict(ck, positions, timeout or self.verdict_timeout)
        if v.status == "rejected":
            raise VectoryError(f"{ck.name} was rejected by the pipeline: " + "; ".join(v.reasons), checkpoint=ck.name)
        if v.status != "accepted":
            raise VectoryError(f"{ck.name}: no verdict from the pipeline within {timeout or self.verdict_timeout:.0f} s "
                               "(is the Streams app running? `./vectory pipeline`, or `./vectory serve-ingest` with nothing "
                               "configured runs one)", checkpoint=ck.name)
        if v.reasons:
            raise VectoryError(f"{ck.name} was accepted, but: " + "; ".join(v.reasons), checkpoint=ck.name)
        for c in v.comparisons:
            self._say(f"{ck.name}: " + comparison_summary(c))
        if not v.comparisons:
            self._say(f"{ck.name}: accepted (the first checkpoint of its space: nothing to compare with yet)")
        return v

    def close(self):
        self.transport.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
