"""Choose the CTranslate2 default: compute type, threads and batch size against PyTorch fp32.

For each CTranslate2 compute type (``int8_float32``, ``int8``, ``float32``)
and intra-op thread count, and each batch size, the encoder's rate on N
benchmark sentences (tokenisation included, length-sorted batches),
interleaved with PyTorch fp32 so that a change of load hits both; then, per
compute type, the cosine of its embeddings to fp32's, its batch independence
(three sentences alone and inside two different batches, scored for every
target and frame: ``framing.quality.bench.batch_difference``) and its label
agreement with fp32 on the labelled corpus's dev split (every default target's
stance and every frame at 0.5). The rule (docs/scaling.md): the default is the
fastest combination whose probabilities stay within 1e-3 alone and in batches
and whose labels agree with fp32 on at least 99% of the dev pairs.

Usage::

    .venv/bin/python scripts/backend_probe.py --n 600 --repeat 3 --out data/interim/backend_probe.json
    .venv/bin/python scripts/backend_probe.py --n 100 --repeat 1 --max-wait 0   # a quick look

It waits (up to ``--max-wait`` seconds) for the 1-minute load average to fall
below 1.0 and records the load at start and end; rates taken under load are
marked provisional.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

import framing
from framing.quality.bench import agreement, batch_difference, workload
from framing.quality.bench_quiet import wait_for_quiet
from framing.quality.labelled import labelled_sentences
from framing.scoring import _backends

log = logging.getLogger("backend_probe")


def _variants(ref: Any, compute_types: list[str], threads: list[int], cache: Path) -> dict[str, Any]:
    """A CTranslate2 encoder per compute type and thread count, sharing ``ref``'s tokenizer."""
    out = {}
    for ct in compute_types:
        for th in threads:
            runner, _ = _backends.load_ct2(
                ref.model, ref.tokenizer, kind="encoder", weights_sha256=ref.weights_sha256,
                precision="fp32" if ct == "float32" else "int8", device="cpu", cache_dir=cache,
                threads=th, compute_type=ct,
            )  # fmt: skip
            prec = "fp32" if ct == "float32" else "int8"
            out[f"{ct}/t{th}"] = dataclasses.replace(ref, backend="ctranslate2", precision=prec,
                                                     compute_type=ct, runner=runner)  # fmt: skip
    return out


def _rates(ref: Any, variants: dict[str, Any], texts: list[str], batches: list[int], repeat: int,
           threads: int) -> dict[str, float]:  # fmt: skip
    """Median sentences per second of each variant and batch size, interleaved with PyTorch fp32."""
    import torch

    torch.set_num_threads(threads)
    seconds: dict[str, list[float]] = {}
    jobs = [("torch-fp32", ref, 32)] + [(f"{k}/b{b}", v, b) for k, v in variants.items() for b in batches]
    for _, enc, b in jobs:
        enc.encode(texts[:b], batch_size=b, progress=False)  # warm-up
    for _ in range(repeat):
        for name, enc, b in jobs:
            t0 = time.perf_counter()
            enc.encode(texts, batch_size=b, progress=False)
            seconds.setdefault(name, []).append(time.perf_counter() - t0)
    return {k: round(len(texts) / statistics.median(v), 1) for k, v in seconds.items()}


def _scores(model: Any, texts: list[str], settings: framing.Settings) -> tuple[Any, Any]:
    return (framing.score_stance(texts, model=model, settings=settings),
            framing.score_frames(texts, model=model, settings=settings))  # fmt: skip


def _quality(ref: Any, variants: dict[str, Any], texts: list[str], settings: framing.Settings) -> dict:
    """Cosine to fp32, batch independence and dev-split agreement per compute type (first thread count)."""
    dev = labelled_sentences("dev")["text"].tolist()
    ref_emb = ref.encode(texts, progress=False)
    ref_dev = _scores(ref, dev, settings)
    out: dict[str, Any] = {"dev_sentences": len(dev)}
    seen: set[str] = set()
    for name, enc in variants.items():
        ct = name.split("/")[0]
        if ct in seen:
            continue
        seen.add(ct)
        cos = (enc.encode(texts, progress=False) * ref_emb).sum(axis=1)
        out[ct] = {
            "cosine_mean": round(float(cos.mean()), 5), "cosine_min": round(float(cos.min()), 5),
            "batch_difference": batch_difference(enc, texts[:24], settings=settings),
            "dev_agreement": agreement(ref_dev, _scores(enc, dev, settings)),
        }  # fmt: skip
    out["torch-fp32"] = {"batch_difference": batch_difference(ref, texts[:24], settings=settings)}
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=600, help="benchmark sentences for the rates (default 600)")
    p.add_argument("--repeat", type=int, default=3, help="interleaved repetitions; rates are medians")
    p.add_argument("--compute-types", default="int8_float32,int8,float32")
    p.add_argument("--threads", default="1,2", help="CTranslate2 intra-op threads to try (default 1,2)")
    p.add_argument("--torch-threads", type=int, default=os.cpu_count() or 1,
                   help="PyTorch threads for the fp32 reference (default: every core)")
    p.add_argument("--batch-sizes", default="32,64,128")
    p.add_argument("--no-quality", action="store_true", help="rates only (no cosine, batch or dev check)")
    p.add_argument("--max-wait", type=float, default=600.0, help="seconds to wait for a quiet machine")
    p.add_argument("--out", default=None, help="write the results to this JSON file")
    args = p.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    quiet = wait_for_quiet(max_wait=args.max_wait)
    with tempfile.TemporaryDirectory(prefix="framing-probe-") as tmp:
        settings = framing.Settings(backend="torch", precision="fp32", cache=tmp)
        ref = framing.load_model(settings=settings)
        variants = _variants(ref, args.compute_types.split(","), [int(t) for t in args.threads.split(",")],
                             Path(tmp))  # fmt: skip
        texts = list(workload(args.n, seed=0))
        rates = _rates(ref, variants, texts, [int(b) for b in args.batch_sizes.split(",")], args.repeat,
                       args.torch_threads)  # fmt: skip
        ratio = {k: round(v / rates["torch-fp32"], 2) for k, v in rates.items()}
        result: dict[str, Any] = {"quiet": quiet, "n": args.n, "repeat": args.repeat, "rates": rates,
                                  "vs_torch_fp32": ratio}
        if not args.no_quality:
            result["quality"] = _quality(ref, variants, texts, settings)
    result["loadavg_end"] = list(os.getloadavg())
    label = "" if quiet["quiet"] else " (PROVISIONAL: load average not below 1.0)"
    print(f"load average {quiet['loadavg'][0]:.2f} at start, {result['loadavg_end'][0]:.2f} at end{label}")
    for name, rate in sorted(rates.items(), key=lambda kv: -kv[1]):
        print(f"{name:<26} {rate:>8.1f} sent/s  {result['vs_torch_fp32'][name]:>5.2f}x torch fp32")
    print(json.dumps(result.get("quality", {}), indent=1, default=float))
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=2, default=float), encoding="utf-8")
        print(f"wrote {args.out}")


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
