"""The project's Avro events (schemas/src/main/avro, shipped in the package) and their two framings on Kafka:
the Confluent wire format (magic 0, 4-byte big-endian schema id, Avro binary) with a schema registry spoken to
through the Confluent REST API, or Avro single-object encoding (C3 01, 8-byte little-endian CRC-64-AVRO
fingerprint of the schema's parsing canonical form, Avro binary) without one -- the same bytes the Java
publisher writes. Needs the Debian package python3-avro."""
import io
import json
import os
import re
import struct
import urllib.error
import urllib.parse
import urllib.request

from .errors import VectoryError

try:
    import avro.io
    import avro.schema
except ImportError:  # pragma: no cover - said when the Kafka transport is asked for
    avro = None

_HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "avro")
# Dependencies first: a named type must be parsed before a schema refers to it.
_ORDER = ["CheckpointKey", "Metric", "Relation", "DriftRule", "SpaceRegistered", "EmbeddingChunk",
          "CheckpointCompleted", "ReferencePinned", "SpaceEvent", "ComparisonResult", "DeadLetter", "DriftAlert"]


def _require():
    if avro is None:
        raise VectoryError("the Kafka transport needs Apache Avro for Python: apt-get install python3-avro")


_SCHEMAS = None


def schemas():
    """Every event schema by short name, each standing alone (named types it uses inlined)."""
    global _SCHEMAS
    if _SCHEMAS is None:
        _require()
        texts = {}
        for n in _ORDER:
            with open(os.path.join(_HERE, n + ".avsc"), encoding="utf-8") as f:
                texts[n] = json.load(f)
        names = avro.schema.Names()
        parsed = {}
        for n in _ORDER:
            parsed[n] = avro.schema.make_avsc_object(texts[n], names)
        # Re-parse each top-level schema from its full JSON, so it carries its named types inline.
        _SCHEMAS = {n: avro.schema.parse(json.dumps(parsed[n].to_json(avro.schema.Names()))) for n in _ORDER}
    return _SCHEMAS


_CRC64_TABLE = None


def crc64_avro(data):
    """The Avro spec's 64-bit Rabin fingerprint (CRC-64-AVRO)."""
    global _CRC64_TABLE
    empty = 0xC15D213AA4D7A795
    if _CRC64_TABLE is None:
        table = []
        for i in range(256):
            fp = i
            for _ in range(8):
                fp = (fp >> 1) ^ (empty & -(fp & 1))
            table.append(fp)
        _CRC64_TABLE = table
    fp = empty
    for b in data:
        fp = (fp >> 8) ^ _CRC64_TABLE[(fp ^ b) & 0xFF]
    return fp


_PRIMITIVE_OBJECT = re.compile(r'\{"type":"(null|boolean|int|long|float|double|bytes|string)"\}')


def canonical_form(schema):
    """The spec's parsing canonical form. python3-avro 1.11 leaves a primitive with a logical type as
    {"type":"long"} where the spec (and Java's SchemaNormalization) write "long": fixed here, or the fingerprint
    differs from the Java side's and single-object records are unreadable there."""
    return _PRIMITIVE_OBJECT.sub(r'"\1"', schema.canonical_form)


def fingerprint(schema):
    return struct.pack("<Q", crc64_avro(canonical_form(schema).encode("utf-8")))


def encode_body(schema, datum):
    out = io.BytesIO()
    avro.io.DatumWriter(schema).write(datum, avro.io.BinaryEncoder(out))
    return out.getvalue()


class SingleObject:
    """Avro single-object encoding: no registry needed."""

    def __init__(self):
        self._by_fp = {}

    def describe(self):
        return "no schema registry (Avro single-object encoding)"

    def encode(self, topic, schema, datum):
        return b"\xc3\x01" + fingerprint(schema) + encode_body(schema, datum)

    def decode(self, topic, schema, data):
        if len(data) >= 5 and data[0] == 0:
            raise VectoryError(f"topic {topic}: the value is in the Confluent wire format (schema id "
                               f"{struct.unpack('>I', data[1:5])[0]}) but no schema registry is configured; "
                               "pass schema_registry= (or VECTORY_SCHEMA_REGISTRY)")
        if len(data) < 10 or data[:2] != b"\xc3\x01":
            raise VectoryError(f"topic {topic}: expected Avro single-object encoding (C3 01), got first bytes {data[:2].hex()}")
        if data[2:10] != fingerprint(schema):
            raise VectoryError(f"topic {topic}: written with a schema of fingerprint {data[2:10].hex()}, "
                               f"not {schema.name}'s {fingerprint(schema).hex()}")
        return avro.io.DatumReader(schema).read(avro.io.BinaryDecoder(io.BytesIO(data[10:])))


class Registry:
    """Confluent wire format through a registry's Confluent REST API (Apicurio at /apis/ccompat/v7, Confluent,
    Karapace, Redpanda). Subjects follow TopicNameStrategy, ``<topic>-value``, as the Java serde does."""

    CONTENT_TYPE = "application/vnd.schemaregistry.v1+json"

    def __init__(self, url, auth=None, auto_register=True, timeout=30):
        self.url = url.rstrip("/")
        self.auth = auth
        self.auto_register = auto_register
        self.timeout = timeout
        self._ids = {}
        self._writers = {}

    def describe(self):
        return f"schema registry {self.url}"

    def _call(self, method, path, body=None, what=""):
        req = urllib.request.Request(self.url + path, method=method,
                                     data=None if body is None else json.dumps(body).encode("utf-8"),
                                     headers={"Accept": self.CONTENT_TYPE + ", application/json"})
        if body is not None:
            req.add_header("Content-Type", self.CONTENT_TYPE)
        if self.auth:
            import base64
            req.add_header("Authorization", "Basic " + base64.b64encode(self.auth.encode("utf-8")).decode("ascii"))
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as r:
                return json.load(r)
        except urllib.error.HTTPError as e:
            text = e.read().decode("utf-8", "replace")
            hint = (" (incompatible with the subject's earlier versions)" if e.code == 409 else "")
            raise VectoryError(f"schema registry at {self.url} refused to {what}: HTTP {e.code}{hint}: {text[:500]}",
                               status=e.code) from None
        except (urllib.error.URLError, OSError) as e:
            raise VectoryError(f"schema registry at {self.url} is unreachable (could not {what}): {e}") from None

    def schema_id(self, topic, schema):
        subject = topic + "-value"
        key = (subject, schema.name)
        if key not in self._ids:
            path = "/subjects/" + urllib.parse.quote(subject, safe="")
            body = {"schema": json.dumps(schema.to_json())}
            if self.auto_register:
                r = self._call("POST", path + "/versions", body, f"register the schema of subject '{subject}'")
            else:
                r = self._call("POST", path, body, f"look up the schema in subject '{subject}'")
            if not isinstance(r.get("id"), int):
                raise VectoryError(f"schema registry at {self.url} answered subject '{subject}' without an id: {r}")
            self._ids[key] = r["id"]
        return self._ids[key]

    def encode(self, topic, schema, datum):
        return b"\x00" + struct.pack(">I", self.schema_id(topic, schema)) + encode_body(schema, datum)

    def writer_schema(self, schema_id):
        if schema_id not in self._writers:
            r = self._call("GET", f"/schemas/ids/{schema_id}", None, f"fetch schema id {schema_id}")
            self._writers[schema_id] = avro.schema.parse(r["schema"])
        return self._writers[schema_id]

    def decode(self, topic, schema, data):
        if data[:2] == b"\xc3\x01":
            return SingleObject().decode(topic, schema, data)
        if len(data) < 5 or data[0] != 0:
            raise VectoryError(f"topic {topic}: expected the Confluent wire format (magic 0x00) or single-object "
                               f"encoding (C3 01), got first byte {data[:1].hex()}")
        writer = self.writer_schema(struct.unpack(">I", data[1:5])[0])
        return avro.io.DatumReader(writer, schema).read(avro.io.BinaryDecoder(io.BytesIO(data[5:])))


def framing(schema_registry=None, auth=None):
    _require()
    return Registry(schema_registry, auth) if schema_registry else SingleObject()
