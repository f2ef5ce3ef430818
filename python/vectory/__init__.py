"""Vectory's Python client: publish embedding checkpoints from a training loop.

    run = vectory.Run("digits-triplet", space="head", dataset="digits-val", model="cnn-32",
                      params={"loss": "triplet"})            # HTTP to `vectory serve-ingest` by default
    run.log(step=epoch, vectors=emb, ids=ids, metadata={"label": labels}, wait=True)
"""
from .checkpoint import Checkpoint, prepare
from .errors import VectoryError
from .run import Logged, Run
from .verdict import Verdict

__all__ = ["Run", "Logged", "VectoryError", "Checkpoint", "prepare", "Verdict"]
__version__ = "0.1.0"
