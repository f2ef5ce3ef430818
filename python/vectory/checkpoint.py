"""Turns what a training loop has (numpy arrays, lists, torch tensors) into one validated checkpoint.

Everything is checked here, before any transport sends a byte: shape, dtype, NaN/Inf, ids (normalised to
strings: ints from tensors or numpy come out as ``"10"``, never ``"tensor(10)"``), duplicate ids, metadata
length. Each error names the argument, the row and what was expected.
"""
import hashlib
import numbers
from dataclasses import dataclass, field

import numpy as np

from .errors import VectoryError

METRICS = ("cosine", "euclidean", "dot")
# schemas' CheckpointProtocol and CheckpointNames, mirrored: what the pipeline and the stores accept.
MIN_ROWS = 2
MAX_DIMENSION = 4096
MAX_VALUES = 2**31 - 1 - 8
MAX_NAME_LENGTH = 200


@dataclass(frozen=True)
class Checkpoint:
    experiment: str
    space: str
    step: int
    vectors: np.ndarray  # (rows, dimension) little-endian float32, C order
    ids: list  # one str per row, unique
    metadata: dict = field(default_factory=dict)  # column -> list of str, one per row
    id_field: str = "row"

    @property
    def name(self):
        return f"{self.experiment}/{self.space}@{self.step}"

    @property
    def rows(self):
        return self.vectors.shape[0]

    @property
    def dimension(self):
        return self.vectors.shape[1]

    def fingerprint(self):
        """Digest of ids, vectors and metadata: the same checkpoint logged twice has the same one."""
        h = hashlib.sha256()
        for i in self.ids:
            h.update(i.encode("utf-8") + b"\0")
        h.update(self.vectors.tobytes())
        for name, values in self.metadata.items():
            h.update(b"\1" + name.encode("utf-8") + b"\0")
            for v in values:
                h.update(v.encode("utf-8") + b"\0")
        return h.hexdigest()


def check_printable(what, value):
    import unicodedata
    if not isinstance(value, str) or not value:
        raise VectoryError(f"{what}: expected a non-empty name, got {value!r}")
    if len(value) > MAX_NAME_LENGTH:
        raise VectoryError(f"{what}: name is {len(value)} characters long; at most {MAX_NAME_LENGTH} are allowed")
    if value.strip() != value:
        raise VectoryError(f"{what}: name {value!r} starts or ends with white space")
    if value in (".", ".."):
        raise VectoryError(f"{what}: name {value!r} is not allowed")
    for ch in value:
        if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cn", "Cs", "Co"):
            raise VectoryError(f"{what}: name {value!r} holds the control or unprintable character U+{ord(ch):04X}")
    return value


def check_name(what, value):
    check_printable(what, value)
    for sep in "/@\\":
        if sep in value:
            raise VectoryError(f"{what}: name {value!r} holds {sep!r} (it separates experiment/space@step); "
                               "use letters, digits and - _ . instead; expected a name without '/' or '@'")
    return value


def _plain(x):
    """A torch tensor or anything array-like as numpy (tensors detached and moved to the CPU first)."""
    if hasattr(x, "detach") and hasattr(x, "cpu"):
        x = x.detach().cpu().numpy()
    return x


def normalise_step(step):
    step = _plain(step)
    if isinstance(step, np.ndarray):
        if step.size != 1:
            raise VectoryError(f"step: expected one whole number, got an array of shape {step.shape}")
        step = step.item()
    if isinstance(step, bool) or not isinstance(step, numbers.Integral):
        if isinstance(step, numbers.Real) and float(step).is_integer():
            step = int(step)
        else:
            raise VectoryError(f"step: expected a whole number, got {step!r}")
    step = int(step)
    if step < 0:
        raise VectoryError(f"step: expected 0 or more, got {step}")
    return step


def normalise_vectors(vectors):
    v = _plain(vectors)
    if isinstance(v, (list, tuple)):
        lengths = [len(r) if hasattr(r, "__len__") else None for r in v]
        if lengths and any(n != lengths[0] for n in lengths):
            bad = next(i for i, n in enumerate(lengths) if n != lengths[0])
            raise VectoryError(f"vectors: ragged rows: row 0 has {lengths[0]} values, row {bad} has {lengths[bad]}; "
                               "expected every row to have the same dimension")
        v = [_plain(r) for r in v]
    try:
        a = np.asarray(v)
    except ValueError as e:  # numpy refuses inhomogeneous nesting
        raise VectoryError(f"vectors: not a rectangular array ({e}); expected rows of equal length") from None
    if a.dtype == object:
        raise VectoryError("vectors: ragged or mixed values (numpy made an object array); "
                           "expected rows of equal length holding numbers")
    if a.dtype.kind not in "fiu":
        raise VectoryError(f"vectors: dtype {a.dtype} is not numeric; expected floats (float32 is sent) or integers")
    if a.ndim != 2:
        raise VectoryError(f"vectors: expected a 2-D array (rows, dimension), got shape {a.shape}")
    if a.shape[1] == 0 or a.shape[1] > MAX_DIMENSION:
        raise VectoryError(f"vectors: dimension {a.shape[1]}; expected 1 to {MAX_DIMENSION} components per vector "
                           "(the stores' k-NN index limit)")
    if a.shape[0] < MIN_ROWS:
        raise VectoryError(f"vectors: {a.shape[0]} row(s); a space needs at least {MIN_ROWS} points to have neighbours")
    if a.shape[0] * a.shape[1] > MAX_VALUES:
        raise VectoryError(f"vectors: {a.shape[0]} rows x {a.shape[1]} = {a.size} values, above the limit of {MAX_VALUES} per checkpoint")
    with np.errstate(over="ignore", invalid="ignore"):
        f = np.ascontiguousarray(a, dtype="<f4")
    finite = np.isfinite(f)
    if not finite.all():
        r, c = map(int, np.argwhere(~finite)[0])
        orig = a[r, c]
        what = "NaN" if np.isnan(orig) else ("Inf" if np.isinf(orig) else f"{orig!r} (beyond float32's range)")
        raise VectoryError(f"vectors: row {r}, column {c} is {what}; {int((~finite).sum())} value(s) are not finite floats")
    return f


def _id(value, row):
    if isinstance(value, bytes):
        value = value.decode("utf-8")
    if isinstance(value, str):
        if not value:
            raise VectoryError(f"ids: row {row} is an empty string; expected a non-empty id")
        return value
    if isinstance(value, (bool, np.bool_)):
        raise VectoryError(f"ids: row {row} is a boolean ({value}); expected an int or a string")
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real) and float(value).is_integer():
        return str(int(value))
    raise VectoryError(f"ids: row {row} is {value!r} ({type(value).__name__}); expected an int or a string")


def normalise_ids(ids, rows):
    if ids is None:
        return [str(i) for i in range(rows)], "row"
    ids = _plain(ids)
    if isinstance(ids, np.ndarray):
        if ids.ndim != 1:
            raise VectoryError(f"ids: expected one id per row (1-D), got shape {ids.shape}")
        ids = ids.tolist()
    ids = [_id(_plain(v).item() if isinstance(_plain(v), np.ndarray) else v, i) for i, v in enumerate(ids)]
    if len(ids) != rows:
        raise VectoryError(f"ids: {len(ids)} ids for {rows} vectors; expected one id per row")
    first = {}
    for i, v in enumerate(ids):
        j = first.setdefault(v, i)
        if j != i:
            raise VectoryError(f"ids: duplicate id {v!r} in rows {j} and {i}; expected unique ids")
    return ids, "id"


def normalise_metadata(metadata, rows):
    if not metadata:
        return {}
    if not isinstance(metadata, dict):
        raise VectoryError(f"metadata: expected a dict of column name -> one value per row, got {type(metadata).__name__}")
    out = {}
    for name, values in metadata.items():
        if not isinstance(name, str) or not name:
            raise VectoryError(f"metadata: column name {name!r}; expected a non-empty string")
        values = _plain(values)
        if isinstance(values, np.ndarray):
            if values.ndim != 1:
                raise VectoryError(f"metadata: column {name!r} has shape {values.shape}; expected one value per row (1-D)")
            values = values.tolist()
        if isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
            raise VectoryError(f"metadata: column {name!r} is {type(values).__name__}; expected a sequence of one value per row")
        if len(values) != rows:
            raise VectoryError(f"metadata: column {name!r} has {len(values)} values for {rows} vectors; expected one per row")
        out[name] = ["" if v is None else (v.decode("utf-8") if isinstance(v, bytes) else
                                           str(int(v)) if isinstance(v, numbers.Integral) and not isinstance(v, bool)
                                           else str(v)) for v in values]
    return out


def prepare(experiment, space, step, vectors, ids=None, metadata=None, metric="cosine"):
    check_name("experiment", experiment)
    check_name("space", space)
    step = normalise_step(step)
    v = normalise_vectors(vectors)
    id_list, id_field = normalise_ids(ids, v.shape[0])
    if metric == "cosine":
        zero = ~v.any(axis=1)
        if zero.any():
            r = int(np.argmax(zero))
            raise VectoryError(f"vectors: row {r} (id {id_list[r]!r}) is the zero vector, which has no direction under the "
                               "cosine metric; drop it or use another metric")
    return Checkpoint(experiment, space, step, v, id_list, normalise_metadata(metadata, v.shape[0]), id_field)
