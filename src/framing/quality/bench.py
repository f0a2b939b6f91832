"""Scoring benchmark: the project against the standard pipelines and the encoder's own limit.

``framing bench`` runs it. In one run it measures, on N new sentences built
from the corpus (so the cache cannot answer them):

- ``project_cold_<precision>``: :func:`score_stance` plus :func:`score_frames`
  for all default targets and frames, with an empty score cache (the heads are
  fitted once beforehand, like loading the model, and not timed);
- ``project_warm_<precision>``: the same again with the cache filled;
- ``pipeline_zero_shot``: ``transformers.pipeline("zero-shot-classification")``
  one sentence at a time, every target's favour and opposition hypotheses and
  every frame's hypothesis as candidate labels, with a MiniLM-L6-sized
  sequence classifier of random weights (the weights do not change the time);
  timed on a subsample and reported per sentence;
- ``pipeline_feature_extraction``: ``pipeline("feature-extraction")`` on the
  default encoder, one sentence at a time (subsample);
- ``limit_<precision>``: the encoder alone, tokenisation included, in
  length-sorted batches;
- ``memory``: peak resident memory of a streamed run over all N sentences, in
  a child process (``resource.getrusage``).

Every precision is compared with the fp32 reference
(:func:`~framing.quality.bench_results.agreement`). Rates are medians over
``repeat`` repetitions. :func:`run` returns everything as a dict, with the
machine and its load average; :func:`~framing.quality.bench_results.table`
formats it for printing.

Examples
--------
>>> from framing.quality.bench import workload
>>> len(list(workload(3, seed=1)))  # doctest: +SKIP
3
"""

from __future__ import annotations

import contextlib
import logging
import os
import platform
import statistics
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from framing.config import PRECISIONS, Settings, resolve_settings
from framing.quality.bench_memory import fresh_cache, memory_in_child, memory_run
from framing.quality.bench_pipelines import feature_pipeline, zero_shot_labels, zero_shot_pipeline
from framing.quality.bench_results import FRAME_THRESHOLD, GOALS, agreement, goals, ratios, table
from framing.quality.bench_workload import source_sentences, workload

__all__ = [
    "FRAME_THRESHOLD",
    "GOALS",
    "agreement",
    "batch_difference",
    "bench_precisions",
    "goals",
    "machine",
    "memory_run",
    "ratios",
    "run",
    "source_sentences",
    "table",
    "workload",
]

log = logging.getLogger(__name__)


# ---------------------------------------------------------------- measuring


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class _PeakRSS:
    """Highest resident memory (MB) of this process while the block runs, sampled every 20 ms."""

    def __enter__(self) -> _PeakRSS:
        self.peak = _rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def _watch(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, _rss_mb())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_mb())


def _time(fn: Callable[[], Any], repeat: int, count: int) -> dict[str, Any]:
    """Median rate of ``fn`` (``count`` sentences each call) over ``repeat`` runs, and its peak RSS."""
    seconds: list[float] = []
    with _PeakRSS() as mem:
        for _ in range(repeat):
            t0 = time.perf_counter()
            fn()
            seconds.append(time.perf_counter() - t0)
    med = statistics.median(seconds)
    return {
        "sentences": count,
        "seconds": seconds,
        "rate": count / med if med > 0 else float("inf"),
        "peak_rss_mb": round(mem.peak, 1),
    }


def _project(texts: list[str], model: Any, settings: Settings) -> tuple[Any, Any]:
    from framing.scoring.frames import score_frames
    from framing.scoring.stance import score_stance

    return (
        score_stance(texts, model=model, settings=settings),
        score_frames(texts, model=model, settings=settings),
    )


def batch_difference(
    model: Any, texts: Sequence[str], *, k: int = 3, settings: Settings | None = None
) -> dict[str, float]:
    """The first ``k`` sentences scored alone and inside two different batches (no cache).

    Parameters
    ----------
    model
        A loaded model (see :func:`framing.load_model`).
    texts
        At least ``k`` sentences; the batches are ``texts`` and the first
        ``k`` followed by ``texts`` reversed.
    k
        How many sentences to compare.
    settings
        Passed to the scoring calls (:class:`framing.Settings`).

    Returns
    -------
    dict
        ``label_agreement``, the smaller share of identical labels of the two
        batches, and ``max_prob_diff``, the largest probability difference.

    Examples
    --------
    >>> from framing import load_model
    >>> texts = ["NATO must stop.", "Talks resumed.", "Troops moved.", "Prices rose."]
    >>> batch_difference(load_model(), texts, k=2)  # doctest: +SKIP
    {'label_agreement': 1.0, 'max_prob_diff': 1e-07}
    """
    import pandas as pd

    from framing.scoring.frames import score_frames
    from framing.scoring.stance import score_stance

    def scores(batch: list[str]) -> tuple[Any, Any]:
        st = score_stance(batch, model=model, cache=False, settings=settings)
        fr = score_frames(batch, model=model, cache=False, settings=settings)
        keep_st, keep_fr = st["sent_id"] < k, fr["sent_id"] < k
        return st[keep_st].reset_index(drop=True), fr[keep_fr].reset_index(drop=True)

    parts = [scores([t]) for t in texts[:k]]
    alone = tuple(
        pd.concat([p[i].assign(sent_id=j) for j, p in enumerate(parts)], ignore_index=True) for i in (0, 1)
    )
    first = scores(list(texts))
    second = scores(list(texts[:k]) + list(texts[::-1]))
    a, b = agreement(alone, first), agreement(alone, second)  # type: ignore[arg-type]
    return {
        "label_agreement": min(a["label_agreement"], b["label_agreement"]),
        "max_prob_diff": max(a["max_prob_diff"], b["max_prob_diff"]),
    }


# ---------------------------------------------------------------- the run


def machine() -> dict[str, Any]:
    """CPU model, cores, library versions and the load average, for the record.

    Returns
    -------
    dict
        ``cpu``, ``cores``, ``torch_threads``, ``cpu_capability``, ``torch``,
        ``transformers``, ``python`` and ``loadavg`` (1, 5 and 15 minutes).

    Examples
    --------
    >>> machine()["cores"] >= 1  # doctest: +SKIP
    True
    """
    import torch
    import transformers

    cpu = platform.processor()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "python": platform.python_version(),
        "loadavg": list(os.getloadavg()),
    }


def bench_precisions(precision: str | None) -> tuple[str, ...]:
    """The precisions a benchmark measures: the fp32 reference and ``precision``, or all of them.

    Parameters
    ----------
    precision
        The precision asked for (``framing --precision``); ``None`` for every
        precision.

    Returns
    -------
    tuple of str
        fp32 first, as every other precision is compared with it.

    Examples
    --------
    >>> bench_precisions("int8")
    ('fp32', 'int8')
    >>> bench_precisions("fp32")
    ('fp32',)
    >>> bench_precisions(None)
    ('fp32', 'bf16', 'int8')
    """
    if precision is None:
        return tuple(PRECISIONS)
    prec = Settings(precision=precision).precision  # type: ignore[arg-type]
    return tuple(dict.fromkeys(("fp32", prec)))


def _measure_project(
    variants: dict[str, Any], texts: list[str], model: Any, prec: str, opts: Settings, repeat: int
) -> tuple[Any, Any]:
    """Warm and cold runs of the project at one precision; returns the scores for the agreement."""
    with fresh_cache(opts) as fresh:
        _project(texts[:8], model, fresh)  # fits the heads, as a first call would
    with fresh_cache(opts) as fresh:
        outputs = _project(texts, model, fresh)  # fills the cache for the warm runs
        log.info("project warm, %s", prec)
        variants[f"project_warm_{prec}"] = _time(lambda: _project(texts, model, fresh), repeat, len(texts))

    def cold() -> None:
        with fresh_cache(opts) as empty:
            _project(texts, model, empty)

    log.info("project cold, %s", prec)
    variants[f"project_cold_{prec}"] = _time(cold, repeat, len(texts))
    return outputs


def _measure_pipelines(variants: dict[str, Any], texts: list[str], repeat: int, *, zero_shot_n: int,
                       pipeline_n: int) -> None:  # fmt: skip
    """The zero-shot and feature-extraction pipelines, one sentence at a time on subsamples."""
    labels = zero_shot_labels()
    zs = zero_shot_pipeline()
    sub = texts[: min(zero_shot_n, len(texts))]
    zs(sub[0], candidate_labels=labels, hypothesis_template="{}", multi_label=True)
    log.info("zero-shot pipeline on %d sentences, %d labels", len(sub), len(labels))
    variants["pipeline_zero_shot"] = _time(
        lambda: [zs(t, candidate_labels=labels, hypothesis_template="{}", multi_label=True) for t in sub],
        repeat,
        len(sub),
    )
    variants["pipeline_zero_shot"]["note"] = f"per-sentence rate on a subsample, {len(labels)} labels"
    fe = feature_pipeline()
    sub = texts[: min(pipeline_n, len(texts))]
    fe(sub[0])
    log.info("feature-extraction pipeline on %d sentences", len(sub))
    variants["pipeline_feature_extraction"] = _time(
        lambda: [np.asarray(fe(t)[0]).mean(axis=0) for t in sub], repeat, len(sub)
    )
    variants["pipeline_feature_extraction"]["note"] = "per-sentence rate on a subsample"


def run(
    *,
    n: int = 2000,
    repeat: int = 3,
    precisions: Sequence[str] = PRECISIONS,
    batch_size: int = 32,
    pipeline_n: int = 100,
    zero_shot_n: int = 20,
    chunk_size: int = 2000,
    seed: int = 0,
    only: Sequence[str] | None = None,
    memory_precision: str | None = None,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Run the benchmark and return its results (see the module docstring for the variants).

    Parameters
    ----------
    n
        Sentences in the workload (:func:`workload`).
    repeat
        Repetitions of each timing; rates are medians.
    precisions
        Precisions to measure; each but fp32 is compared with fp32 when both
        are measured (see :func:`bench_precisions`).
    batch_size
        Encoder batch size of the ``limit_<precision>`` variants.
    pipeline_n, zero_shot_n
        Subsamples for the feature-extraction and zero-shot pipelines.
    chunk_size
        Sentences per chunk in the memory run.
    seed
        Seed of the workload.
    only
        Some of ``project``, ``pipelines``, ``limit``, ``memory``; default all.
    memory_precision
        Precision of the memory run; default the first of ``precisions``.
    settings
        Model and device (:class:`framing.Settings`); the precision is taken
        from ``precisions`` and every timed run gets its own temporary cache.

    Returns
    -------
    dict
        ``machine``, ``settings`` (the run's parameters), ``variants`` (rate,
        seconds and peak memory of each), ``agreement`` and
        ``batch_difference`` per precision, ``ratios`` and ``goals``.

    Examples
    --------
    >>> result = run(n=40, repeat=1, precisions=["fp32", "int8"], only=["limit"])  # doctest: +SKIP
    >>> sorted(result["variants"])  # doctest: +SKIP
    ['limit_fp32', 'limit_int8']
    """
    from framing.scoring.models import load_model

    base = resolve_settings(settings)
    parts = set(only or ("project", "pipelines", "limit", "memory"))
    texts = list(workload(n, seed=seed))
    result: dict[str, Any] = {
        "machine": machine(),
        "settings": {
            "n": n, "repeat": repeat, "precisions": list(precisions), "batch_size": batch_size,
            "pipeline_n": min(pipeline_n, n), "zero_shot_n": min(zero_shot_n, n), "chunk_size": chunk_size,
            "seed": seed, "parts": sorted(parts),
            "mean_words": round(float(np.mean([len(t.split()) for t in texts])), 1),
        },  # fmt: skip
        "variants": {},
        "agreement": {},
        "batch_difference": {},
    }
    variants = result["variants"]
    outputs: dict[str, tuple[Any, Any]] = {}
    for prec in precisions:
        opts = base.replace(precision=prec)
        model = load_model(settings=opts)
        if "project" in parts:
            outputs[prec] = _measure_project(variants, texts, model, prec, opts, repeat)
        if "limit" in parts:
            log.info("encoder limit, %s", prec)
            model.encode(texts[:batch_size], batch_size=batch_size, progress=False)
            variants[f"limit_{prec}"] = _time(
                lambda m=model: m.encode(texts, batch_size=batch_size, progress=False), repeat, n
            )
            result["batch_difference"][prec] = batch_difference(model, texts[:24], settings=opts)
    for prec in precisions:
        if prec != "fp32" and prec in outputs and "fp32" in outputs:
            result["agreement"][prec] = agreement(outputs["fp32"], outputs[prec])
    if "pipelines" in parts:
        _measure_pipelines(variants, texts, repeat, zero_shot_n=zero_shot_n, pipeline_n=pipeline_n)
    if "memory" in parts:
        log.info("memory: streamed run over %d sentences in a child process", n)
        variants["memory"] = memory_in_child(
            n, precision=memory_precision or precisions[0], chunk_size=chunk_size, seed=seed, settings=base
        )
    result["ratios"] = ratios(result)
    result["goals"] = goals(result)
    result["machine"]["loadavg_end"] = list(os.getloadavg())
    return result
