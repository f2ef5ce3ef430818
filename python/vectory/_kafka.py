"""Straight to Kafka with confluent_kafka (Debian: python3-confluent-kafka): the events the Java
CheckpointPublisher writes, in its order and chunking -- SpaceRegistered, EmbeddingChunk x n, CheckpointCompleted,
keyed by experiment, in ONE transaction of an idempotent producer -- so the Streams app cannot tell a Python
checkpoint from a Java one. The verdict is read back from the pipeline's own topics."""
import datetime
import io
import time
import uuid

from . import _avro
from .errors import VectoryError

try:
    import confluent_kafka
    from confluent_kafka import KafkaException, TopicPartition
except ImportError:  # pragma: no cover
    confluent_kafka = None

# As the Java publisher: the broker's default max.message.bytes is 1 MiB; each chunk stays under this.
DEFAULT_MAX_CHUNK_BYTES = 900 * 1024
CHUNK_OVERHEAD = 1024  # envelope, key, counters, wire-format header
_CASTAGNOLI = None


def crc32c(data, crc=0):
    """CRC-32C (Castagnoli), as java.util.zip.CRC32C: the checksum CheckpointCompleted carries."""
    global _CASTAGNOLI
    if _CASTAGNOLI is None:
        t = []
        for i in range(256):
            c = i
            for _ in range(8):
                c = (c >> 1) ^ (0x82F63B78 & -(c & 1))
            t.append(c)
        _CASTAGNOLI = t
    t = _CASTAGNOLI
    c = crc ^ 0xFFFFFFFF
    for b in data:  # pure Python: ~5 MB/s, fine for validation sets (no crc32c package in Debian)
        c = t[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def chunk_bounds(ck, max_chunk_bytes):
    """Row ranges [from, to) whose ids, metadata and vectors stay under the chunk budget: schemas' CheckpointProtocol.chunkRanges."""
    budget = max_chunk_bytes - CHUNK_OVERHEAD
    cols = list(ck.metadata.values())
    out, start, size = [], 0, 0
    for r, i in enumerate(ck.ids):
        row = 4 * ck.dimension + len(i.encode("utf-8")) + 5
        if cols:
            row += 5 + sum(len(c[r].encode("utf-8")) + 5 for c in cols)
        if row > budget:
            raise VectoryError(f"{ck.name}: row {r} (id {i!r}) alone needs {row} bytes, above the chunk limit of "
                               f"{budget} bytes (dimension {ck.dimension})", checkpoint=ck.name)
        if size + row > budget:
            out.append((start, r))
            start, size = r, 0
        size += row
    out.append((start, len(ck.ids)))
    return out


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def events(ck, description, max_chunk_bytes):
    """The checkpoint's SpaceEvent values, in publishing order, and its chunk count."""
    key = {"experiment": ck.experiment, "space": ck.space, "step": ck.step}
    columns = list(ck.metadata)
    registered = {"checkpoint": key, "dataset": description["dataset"], "model": description["model"],
                  "epoch": description.get("epoch"), "dimension": ck.dimension, "rows": ck.rows,
                  "metric": description["metric"].upper(), "params": dict(description.get("params") or {}),
                  "id_field": ck.id_field, "metadata_columns": columns, "registered_at": _now()}
    out = [{"event": registered}]
    crc = 0
    bounds = chunk_bounds(ck, max_chunk_bytes)
    for seq, (a, b) in enumerate(bounds):
        vec = ck.vectors[a:b].tobytes()
        crc = crc32c(vec, crc)
        meta = [[ck.metadata[c][r] for c in columns] for r in range(a, b)] if columns else []
        out.append({"event": {"checkpoint": key, "sequence": seq, "first_row": a, "dimension": ck.dimension,
                              "ids": ck.ids[a:b], "vectors": vec, "metadata": meta}})
    out.append({"event": {"checkpoint": key, "rows": ck.rows, "chunks": len(bounds), "checksum": crc,
                          "completed_at": _now()}})
    return out, len(bounds), crc


def _is_completed(decoded):
    e = decoded.get("event") or {}
    return "checksum" in e and "chunks" in e


class KafkaTransport:
    def __init__(self, bootstrap_servers, schema_registry=None, topic_prefix="", transactional_id=None,
                 config=None, max_chunk_bytes=None, timeout=60, registry_auth=None):
        if confluent_kafka is None:
            raise VectoryError("the Kafka transport needs confluent_kafka: apt-get install python3-confluent-kafka")
        self.bootstrap = bootstrap_servers
        self.framing = _avro.framing(schema_registry, registry_auth)  # reads both encodings when a registry is set
        self.writer = self.framing
        self.schemas = _avro.schemas()
        self.prefix = topic_prefix or ""
        self.topic = self.prefix + "vectory.space-events"
        self.timeout = timeout
        self.extra = dict(config or {})
        self.transactional_id = transactional_id or "vectory-python-" + uuid.uuid4().hex
        self.max_chunk_bytes = max_chunk_bytes
        self._producer = None

    def describe(self):
        return f"Kafka {self.bootstrap}, {self.writer.describe()}, topic {self.topic}"

    def _fail(self, what, e):
        return VectoryError(f"Kafka at {self.bootstrap}: {what}: {e}")

    def _admin(self):
        from confluent_kafka.admin import AdminClient
        return AdminClient({"bootstrap.servers": self.bootstrap, **self.extra})

    def _prepare_topic(self):
        """Creates the topic when missing and sizes chunks under the topic's max.message.bytes."""
        from confluent_kafka.admin import ConfigResource, NewTopic
        admin = self._admin()
        try:
            md = admin.list_topics(timeout=min(self.timeout, 15))
        except KafkaException as e:
            raise self._fail("not reachable (is it running?)", e) from None
        if self.topic not in md.topics:
            for parts, repl in ((-1, -1), (1, 1)):
                f = admin.create_topics([NewTopic(self.topic, parts, repl)])[self.topic]
                try:
                    f.result(30)
                    break
                except KafkaException as e:
                    if e.args[0].code() == confluent_kafka.KafkaError.TOPIC_ALREADY_EXISTS:
                        break
                    if parts == 1:
                        raise self._fail(f"cannot create topic {self.topic}", e) from None
        if self.max_chunk_bytes is None:
            limit = None
            try:
                res = admin.describe_configs([ConfigResource(ConfigResource.Type.TOPIC, self.topic)])
                for f in res.values():
                    entry = f.result(15).get("max.message.bytes")
                    limit = int(entry.value) if entry is not None else None
            except Exception:  # a broker that hides configs: keep the Java publisher's size
                limit = None
            # Leave the Java publisher's margin (124 KiB of 1 MiB) for the envelope and batch headers.
            self.max_chunk_bytes = DEFAULT_MAX_CHUNK_BYTES if limit is None else min(DEFAULT_MAX_CHUNK_BYTES, limit - 124 * 1024)
            if self.max_chunk_bytes < 4096:
                raise VectoryError(f"topic {self.topic} allows only {limit} bytes per message; too small for a chunk")

    def producer(self):
        if self._producer is None:
            self._prepare_topic()
            conf = {"bootstrap.servers": self.bootstrap, "enable.idempotence": True, "acks": "all",
                    "transactional.id": self.transactional_id, "linger.ms": 5,
                    "message.max.bytes": max(1024 * 1024, self.max_chunk_bytes + 64 * 1024),
                    "client.id": "vectory-python-" + self.transactional_id}
            conf.update(self.extra)
            p = confluent_kafka.Producer(conf)
            try:
                p.init_transactions(self.timeout)
            except KafkaException as e:
                raise self._fail("cannot start a transactional producer", e) from None
            self._producer = p
        return self._producer

    def _produce(self, p, key, value):
        while True:
            try:
                p.produce(self.topic, key=key.encode("utf-8"), value=value)
                p.poll(0)
                return
            except BufferError:  # local queue full: let deliveries drain
                p.poll(0.1)

    def publish(self, ck, description, max_attempts=5):
        p = self.producer()
        values, chunks, crc = events(ck, description, self.max_chunk_bytes)
        schema = self.schemas["SpaceEvent"]
        encoded = [self.writer.encode(self.topic, schema, v) for v in values]
        last = None
        for attempt in range(1, max_attempts + 1):
            try:
                p.begin_transaction()
                for v in encoded:
                    self._produce(p, ck.experiment, v)
                self._commit(p, ck, max_attempts)
                return {"checkpoint": ck.name, "rows": ck.rows, "dimension": ck.dimension, "chunks": chunks,
                        "checksum": format(crc, "x"), "status": "published", "attempts": attempt}
            except KafkaException as e:
                err = e.args[0]
                if err.txn_requires_abort() or err.retriable():
                    last = e
                    try:
                        p.abort_transaction(self.timeout)
                    except KafkaException:
                        self._producer = None  # a new producer with this transactional.id fences the old one
                        p = self.producer()
                    time.sleep(min(5.0, 0.25 * 2 ** attempt))
                    continue
                self._producer = None
                raise VectoryError(f"{ck.name}: cannot publish: {err}", checkpoint=ck.name) from None
        raise VectoryError(f"{ck.name}: not published after {max_attempts} attempts: {last}", checkpoint=ck.name)

    def _commit(self, p, ck, max_attempts):
        """Retries the commit itself when it is retriable: re-publishing after a commit that may have gone
        through could double the checkpoint."""
        for attempt in range(1, max_attempts + 1):
            try:
                p.commit_transaction(self.timeout)
                return
            except KafkaException as e:
                err = e.args[0]
                if err.retriable() and attempt < max_attempts:
                    continue
                if err.txn_requires_abort():
                    raise
                self._producer = None
                raise VectoryError(f"{ck.name}: the commit did not go through ({err}); the checkpoint may or may not be "
                                   "committed (not re-published, so it cannot appear twice)", checkpoint=ck.name) from None

    # ---- the pipeline's verdict, read from its output topics

    def _consumer(self):
        return confluent_kafka.Consumer({"bootstrap.servers": self.bootstrap, "group.id": "vectory-python-" + uuid.uuid4().hex,
                                         "isolation.level": "read_committed", "enable.auto.commit": False,
                                         "auto.offset.reset": "earliest", "fetch.message.max.bytes": 16 * 1024 * 1024,
                                         **self.extra})

    def _verdict_topics(self):
        return {self.prefix + "vectory.comparisons": "ComparisonResult", self.prefix + "vectory.dead-letters": "DeadLetter",
                self.prefix + "vectory.indexed-spaces": "SpaceEvent"}

    def positions(self):
        """End offsets of the verdict topics now, so a later verdict read starts exactly after them."""
        c = self._consumer()
        try:
            md = c.list_topics(timeout=15)
            out = []
            for t in self._verdict_topics():
                if t not in md.topics:
                    continue  # the pipeline creates it; read it from the start
                for part in md.topics[t].partitions:
                    lo, hi = c.get_watermark_offsets(TopicPartition(t, part), timeout=15)
                    out.append(TopicPartition(t, part, hi))
            return out
        except KafkaException as e:
            raise self._fail("cannot read the pipeline's topics", e) from None
        finally:
            c.close()

    def verdict(self, ck, positions, timeout):
        """Waits for the pipeline's answer on ``ck``: ('accepted', comparisons) or ('rejected', reasons)."""
        from .verdict import Verdict
        c = self._consumer()
        topics = self._verdict_topics()
        deadline = time.monotonic() + timeout
        known = {(tp.topic, tp.partition) for tp in positions}
        try:
            assignment = list(positions)
            md = c.list_topics(timeout=15)
            for t in topics:
                if t in md.topics:
                    for part in md.topics[t].partitions:
                        if (t, part) not in known:
                            assignment.append(TopicPartition(t, part, 0))
            c.assign(assignment)
            comparisons, dead, accepted = [], [], False
            while time.monotonic() < deadline:
                for m in c.consume(100, 0.5):
                    if m.error():
                        continue
                    kind = topics[m.topic()]
                    if kind == "SpaceEvent":
                        if self._completion_of(m, ck):
                            accepted = True
                        continue
                    d = self.framing.decode(m.topic(), self.schemas[kind], m.value())
                    if kind == "ComparisonResult" and _key_name(d["a"]) == ck.name:
                        comparisons.append(d)
                    elif kind == "DeadLetter" and d.get("checkpoint") == ck.name:
                        dead.append(d["reason"])
                # Rejected only once indexed-spaces is read through: a failed comparison of an accepted checkpoint is
                # dead-lettered in the transaction that re-emits its completion there.
                if dead and not accepted and self._caught_up(c, assignment, [t for t, k in topics.items() if k == "SpaceEvent"]):
                    return Verdict("rejected", [], dead)
                if accepted and self._caught_up(c, assignment, [t for t, k in topics.items() if k != "SpaceEvent"]):
                    return Verdict("accepted", comparisons, dead)
            return Verdict("pending", comparisons, dead)
        except KafkaException as e:
            raise self._fail("cannot read the pipeline's verdict", e) from None
        finally:
            c.close()

    def _completion_of(self, m, ck):
        """Whether an indexed-spaces record is ck's CheckpointCompleted; chunks are skipped by their union
        branch (the first long of the Avro body) instead of being decoded."""
        v = m.value()
        body = v[10:] if v[:2] == b"\xc3\x01" else v[5:]
        branch = _avro.avro.io.BinaryDecoder(io.BytesIO(body[:10])).read_long()
        if branch != 2:
            return False
        d = self.framing.decode(m.topic(), self.schemas["SpaceEvent"], v)
        return _key_name(d["event"]["checkpoint"]) == ck.name

    def _caught_up(self, c, assignment, topics):
        """Whether these topics are read to their ends (the pipeline re-emits a checkpoint's completion once its
        comparisons are committed)."""
        for start in assignment:
            if start.topic not in topics:
                continue
            tp = TopicPartition(start.topic, start.partition)
            lo, hi = c.get_watermark_offsets(tp, timeout=10)
            pos = c.position([tp])[0].offset
            if pos < 0:  # nothing consumed yet: still at the assigned offset
                pos = start.offset
            # read_committed stops short of the last transaction marker: within 1 is caught up
            if hi - pos > 1:
                return False
        return True

    def close(self):
        if self._producer is not None:
            self._producer.flush(10)
            self._producer = None


def _key_name(k):
    return f"{k['experiment']}/{k['space']}@{k['step']}"
