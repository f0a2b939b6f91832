"""Refit the default model's shipped heads from the shipped corpus, with a logged run (``make model``).

Steps:

1. fit the embedded encoder's stance and frame heads on
   ``src/framing/codebooks/training/labelled.csv`` (the adjudicated train
   split of ``data/labelled``) and the codebooks' sentences, fixed seed;
2. write them into ``src/framing/codebooks/heads/`` with their SHA-256 in
   ``manifest.json`` (stale files removed);
3. score the corpus's dev events with the new heads (``framing evaluate
   --split dev``) and write the run's log, ``codebooks/heads/train-log.json``:
   the data and codebook hashes, the heads' hashes, the dev scores, the
   time taken and the load average at start and end.

Two runs on the same data and seed give the same dev scores to within 0.01
(the float32 embeddings can differ in the last bits with the batches they
were encoded in); ``--check`` reruns the fit into a scratch folder and says
whether it did.

Usage::

    .venv/bin/python scripts/make_model.py [--check]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path

import framing
from framing import _codebooks
from framing.quality.evaluation import evaluate
from framing.scoring import _core
from framing.scoring.heads_io import SHIPPED
from framing.scoring.train_heads import ship_heads

LOG = SHIPPED / "train-log.json"
HEADLINE = [("stance", "pooled", "macro_f1"), ("stance", "diplomacy", "macro_f1"),
            ("frames", "main", "top1_accuracy"), ("frames", "main", "top3_accuracy")]


def dev_scores() -> dict[str, float]:
    table = evaluate("dev").table
    return {f"{task}/{target}/{metric}": round(float(table.query(
        "task == @task and target == @target and metric == @metric")["value"].item()), 4)
        for task, target, metric in HEADLINE}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="refit into a scratch folder and compare the dev scores with the log")
    args = parser.parse_args(argv)
    load_start, start = os.getloadavg()[0], time.perf_counter()
    if args.check:
        previous = json.loads(LOG.read_text(encoding="utf-8"))["dev"]
        with tempfile.TemporaryDirectory() as tmp:
            settings = framing.Settings.from_env(cache=tmp)
            ship_heads(settings=settings, folder=Path(tmp) / "heads")
            _core._HEADS.clear()
            os.environ["FRAMING_CACHE"] = tmp
            now = dev_scores()
        diff = max(abs(now[k] - previous[k]) for k in previous)
        print(json.dumps({"previous": previous, "now": now, "max_difference": round(diff, 4)}, indent=2))
        return 0 if diff <= 0.01 else 1
    manifest = ship_heads()
    _core._HEADS.clear()
    scores = dev_scores()
    log = {
        "framing": framing.__version__,
        "python": platform.python_version(),
        "training": _core.TRAINING,
        "data_sha256": _codebooks.digest(_core.TRAINING),
        "codebooks_sha256": _codebooks.digest(_core.TARGETS, _core.FRAMES),
        "head_version": _core.HEAD_VERSION,
        "random_state": 0,
        "heads": manifest,
        "dev": scores,
        "seconds": round(time.perf_counter() - start, 1),
        "load_average": {"start": round(load_start, 2), "end": round(os.getloadavg()[0], 2)},
    }
    LOG.write_text(json.dumps(log, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(log, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
