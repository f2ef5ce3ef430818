"""examples/pytorch/digits_study.py, short (2 epochs per loss), against the real stack through serve-ingest: every
checkpoint is accepted, the comparisons arrive, and the final triplet-vs-ArcFace comparison is printed."""
import os
import re
import subprocess
import sys

import pytest

from conftest import ROOT

EXAMPLE = os.path.join(ROOT, "examples", "pytorch", "digits_study.py")


def test_pytorch_digits_study_runs_and_its_comparisons_arrive(stack):
    pytest.importorskip("torch", reason="python3-torch is not installed (apt-get install python3-torch)")
    pytest.importorskip("sklearn", reason="python3-sklearn is not installed (apt-get install python3-sklearn)")
    r = subprocess.run([sys.executable, EXAMPLE, "--epochs", "2", "--url", stack["url"], "--experiment", "pytest-digits"],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    for loss in ("triplet", "arcface"):
        assert re.search(rf"{loss}\s+epoch 1: loss [0-9.]+; k-NN Jaccard with epoch 0: [0-9.]+", r.stdout), r.stdout
        # the pipeline's verdicts, one per checkpoint, with the comparisons of epoch 1
        assert re.search(rf"pytest-digits-{loss}\.[^/]+/head@1: previous .*/head@0: mean Jaccard", r.stderr), r.stderr
    m = re.search(r"triplet vs ArcFace \(360 validation digits, k=10, cosine, self excluded, exact\): mean k-NN Jaccard ([0-9.]+)", r.stdout)
    assert m and 0 < float(m.group(1)) < 1, r.stdout
    assert "./vectory run" in r.stdout
