"""Scoring benchmark: the project against the standard pipelines and the encoder's own limit.

``framing bench`` runs it. It first waits (at most ten minutes) until the
1-minute load average is below 1.0, or records that it could not
(:func:`~framing.quality.bench_quiet.wait_for_quiet`). Then, in one run, it
measures on N new sentences built from the corpus (so the cache cannot answer
them), for each *mode* (a backend and a precision: ``fp32``, ``bf16`` and
``int8`` on PyTorch, ``ct2_int8`` and ``ct2_fp32`` on CTranslate2;
:func:`bench_modes`):

- ``project_cold_<mode>``: :func:`score_stance` plus :func:`score_frames`
  for all default targets and frames, with an empty score cache (the heads are
  fitted once beforehand, like loading the model, and not timed);
- ``project_warm_<mode>``: the same again with the cache filled;
- ``limit_<mode>``: the encoder alone, tokenisation included, in
  length-sorted batches; the modes take turns in every repetition, so that a
  change of load hits them alike;
- ``pipeline_zero_shot``: ``transformers.pipeline("zero-shot-classification")``
  one sentence at a time, every target's favour and opposition hypotheses and
  every frame's hypothesis as candidate labels, with a MiniLM-L6-sized
  sequence classifier of random weights (the weights do not change the time);
  timed on a subsample and reported per sentence;
- ``pipeline_feature_extraction``: ``pipeline("feature-extraction")`` on the
  default encoder, one sentence at a time (subsample);
- ``memory``: peak resident memory of a streamed run over all N sentences, in
  a child process (``resource.getrusage``).

Every mode is compared with the PyTorch fp32 reference on the workload and on
the labelled corpus's dev split (:func:`~framing.quality.bench_results.agreement`),
and its batch independence is measured (:func:`batch_difference`). Rates are
medians over ``repeat`` repetitions. :func:`run` returns everything as a dict,
with the machine and its load average at start and end;
:func:`~framing.quality.bench_results.table` formats it for printing. The
pipeline's stages and the large streamed run are in
:mod:`framing.quality.bench_stages`.

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

from framing.config import DEFAULT_BACKEND, PRECISIONS, Settings, resolve_precision, resolve_settings
from framing.quality.bench_memory import fresh_cache, memory_in_child, memory_run
from framing.quality.bench_pipelines import feature_pipeline, zero_shot_labels, zero_shot_pipeline
from framing.quality.bench_quiet import MAX_WAIT, QUIET_LOAD, wait_for_quiet
from framing.quality.bench_results import (
    FRAME_THRESHOLD,
    GOALS,
    _mode,
    agreement,
    default_mode,
    goals,
    ratios,
    table,
)
from framing.quality.bench_workload import source_sentences, workload

__all__ = [
    "FRAME_THRESHOLD",
    "GOALS",
    "agreement",
    "batch_difference",
    "bench_modes",
    "bench_precisions",
    "default_mode",
    "goals",
    "machine",
    "memory_run",
    "mode_settings",
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
        ``transformers``, ``ctranslate2``, ``python`` and ``loadavg`` (1, 5 and
        15 minutes).

    Examples
    --------
    >>> machine()["cores"] >= 1  # doctest: +SKIP
    True
    """
    import torch
    import transformers

    from framing.scoring._backends import ct2_version

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
        "ctranslate2": ct2_version(),
        "python": platform.python_version(),
        "loadavg": list(os.getloadavg()),
    }


def bench_precisions(precision: str | None) -> tuple[str, ...]:
    """The PyTorch precisions a benchmark of that backend measures: fp32 and ``precision``, or all of them.

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
    >>> bench_precisions(None), bench_precisions("auto")
    (('fp32', 'bf16', 'int8'), ('fp32',))
    """
    if precision is None:
        return tuple(p for p in PRECISIONS if p != "auto")
    prec = resolve_precision("torch", Settings(precision=precision).precision)  # type: ignore[arg-type]
    return tuple(dict.fromkeys(("fp32", prec)))


def mode_settings(mode: str) -> tuple[str, str]:
    """The backend and precision of a benchmark mode (``"fp32"``, ``"ct2_int8"``...).

    Examples
    --------
    >>> mode_settings("ct2_int8"), mode_settings("bf16")
    (('ctranslate2', 'int8'), ('torch', 'bf16'))
    """
    backend, _, prec = mode.rpartition("_")
    return ("ctranslate2" if backend == "ct2" else "torch"), prec


def bench_modes(backend: str | None, precision: str | None) -> tuple[str, ...]:
    """The modes a benchmark measures: the PyTorch fp32 reference first, then the ones asked for.

    Parameters
    ----------
    backend, precision
        The global ``framing --backend`` and ``--precision`` flags (``None``
        when not given). Without either: every mode, the reference first,
        then the default (CTranslate2 int8), CTranslate2 fp32 and PyTorch's
        bf16 and int8 (slower than fp32 on CPUs without AVX-512, faster on
        some with it). With them: that mode and the reference.

    Returns
    -------
    tuple of str
        ``"fp32"`` (PyTorch fp32, the reference) first.

    Examples
    --------
    >>> bench_modes(None, None)
    ('fp32', 'ct2_int8', 'ct2_fp32', 'bf16', 'int8')
    >>> bench_modes("torch", "int8"), bench_modes("ctranslate2", None), bench_modes(None, "fp32")
    (('fp32', 'int8'), ('fp32', 'ct2_int8'), ('fp32', 'ct2_fp32'))
    """
    if backend is None and precision is None:
        return tuple(dict.fromkeys(("fp32", default_mode(), "ct2_fp32", "bf16", "int8")))
    s = Settings(backend=backend or DEFAULT_BACKEND, precision=precision or "auto")  # type: ignore[arg-type]
    return tuple(dict.fromkeys(("fp32", _mode(s.backend, s.precision))))


def _measure_project(
    variants: dict[str, Any], texts: list[str], model: Any, prec: str, opts: Settings, repeat: int
) -> tuple[Any, Any]:
    """Warm and cold runs of the project in one mode; returns the scores for the agreement."""
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


def _dev_texts() -> list[str]:
    from framing.quality.labelled import labelled_sentences

    return labelled_sentences("dev")["text"].tolist()


def _measure_mode(result: dict[str, Any], mode: str, texts: list[str], parts: set[str], base: Settings, *,
                  repeat: int, dev: list[str]) -> dict[str, Any]:  # fmt: skip
    """The project and dev-split runs of one mode; returns its model and its scores."""
    from framing.scoring.models import load_model

    backend, prec = mode_settings(mode)
    opts = base.replace(backend=backend, precision=prec)
    model = load_model(settings=opts)
    result["models"][mode] = dict(model.key)
    out: dict[str, Any] = {"model": model, "settings": opts}
    if "project" in parts:
        out["workload"] = _measure_project(result["variants"], texts, model, mode, opts, repeat)
    if "dev" in parts:
        with fresh_cache(opts) as fresh:
            out["dev"] = _project(dev, model, fresh)
    return out


def _measure_limits(result: dict[str, Any], runs: dict[str, Any], texts: list[str], *, repeat: int,
                    batch_size: int) -> None:  # fmt: skip
    """Each mode's encoder alone, the modes interleaved in every repetition so that load hits all alike."""
    seconds: dict[str, list[float]] = {m: [] for m in runs}
    with _PeakRSS() as mem:
        for run in runs.values():
            run["model"].encode(texts[:batch_size], batch_size=batch_size, progress=False)
        for _ in range(repeat):
            for mode, run in runs.items():
                log.info("encoder limit, %s", mode)
                t0 = time.perf_counter()
                run["model"].encode(texts, batch_size=batch_size, progress=False)
                seconds[mode].append(time.perf_counter() - t0)
    for mode, secs in seconds.items():
        med = statistics.median(secs)
        result["variants"][f"limit_{mode}"] = {"sentences": len(texts), "seconds": secs,
                                               "rate": len(texts) / med if med > 0 else float("inf"),
                                               "peak_rss_mb": round(mem.peak, 1)}  # fmt: skip
        result["batch_difference"][mode] = batch_difference(runs[mode]["model"], texts[:24],
                                                            settings=runs[mode]["settings"])  # fmt: skip


def run(
    *,
    n: int = 2000,
    repeat: int = 3,
    modes: Sequence[str] | None = None,
    batch_size: int = 32,
    pipeline_n: int = 100,
    zero_shot_n: int = 20,
    chunk_size: int = 2000,
    seed: int = 0,
    only: Sequence[str] | None = None,
    settings: Settings | None = None,
    max_wait: float = MAX_WAIT,
    quiet_below: float = QUIET_LOAD,
) -> dict[str, Any]:
    """Run the benchmark and return its results (see the module docstring for the variants).

    Parameters
    ----------
    n
        Sentences in the workload (:func:`workload`).
    repeat
        Repetitions of each timing; rates are medians.
    modes
        Modes to measure (:func:`bench_modes`; default ``bench_modes(None,
        None)``); each is compared with ``"fp32"`` (PyTorch fp32) when both
        are measured.
    batch_size
        Encoder batch size of the ``limit_<mode>`` variants.
    pipeline_n, zero_shot_n
        Subsamples for the feature-extraction and zero-shot pipelines.
    chunk_size
        Sentences per chunk in the memory run.
    seed
        Seed of the workload.
    only
        Some of ``project``, ``dev`` (agreement on the labelled dev split),
        ``pipelines``, ``limit``, ``memory``; default all.
    settings
        Model and device (:class:`framing.Settings`); backend and precision
        come from each mode, and every timed run gets its own temporary
        cache. The memory run uses ``settings`` as they are.
    max_wait, quiet_below
        Wait at most ``max_wait`` seconds for the 1-minute load average to
        fall below ``quiet_below`` before measuring (0: do not wait).

    Returns
    -------
    dict
        ``machine`` (with ``quiet``, the wait, and ``loadavg_end``),
        ``settings`` (the run's parameters), ``models`` (each mode's model
        key), ``variants`` (rate, seconds and peak memory of each),
        ``agreement`` and ``agreement_dev`` and ``batch_difference`` per mode,
        ``ratios`` and ``goals``.

    Examples
    --------
    >>> result = run(n=40, repeat=1, modes=["fp32", "ct2_int8"], only=["limit"])  # doctest: +SKIP
    >>> sorted(result["variants"])  # doctest: +SKIP
    ['limit_ct2_int8', 'limit_fp32']
    """
    base = resolve_settings(settings)
    modes = list(modes or bench_modes(None, None))
    parts = set(only or ("project", "dev", "pipelines", "limit", "memory"))
    quiet = wait_for_quiet(below=quiet_below, max_wait=max_wait)
    texts = list(workload(n, seed=seed))
    dev = _dev_texts() if "dev" in parts else []
    result: dict[str, Any] = {
        "machine": {**machine(), "quiet": quiet},
        "settings": {
            "n": n, "repeat": repeat, "modes": modes, "default_mode": default_mode(),
            "batch_size": batch_size,
            "pipeline_n": min(pipeline_n, n), "zero_shot_n": min(zero_shot_n, n), "chunk_size": chunk_size,
            "seed": seed, "parts": sorted(parts), "dev_sentences": len(dev),
            "mean_words": round(float(np.mean([len(t.split()) for t in texts])), 1),
        },  # fmt: skip
        "models": {}, "variants": {}, "agreement": {}, "agreement_dev": {}, "batch_difference": {},
    }  # fmt: skip
    outputs = {m: _measure_mode(result, m, texts, parts, base, repeat=repeat, dev=dev) for m in modes}
    if "limit" in parts:
        _measure_limits(result, outputs, texts, repeat=repeat, batch_size=batch_size)
    for mode, out in outputs.items():
        for what, key in (("workload", "agreement"), ("dev", "agreement_dev")):
            if mode != "fp32" and what in out and what in outputs.get("fp32", {}):
                result[key][mode] = agreement(outputs["fp32"][what], out[what])
    if "pipelines" in parts:
        _measure_pipelines(result["variants"], texts, repeat, zero_shot_n=zero_shot_n, pipeline_n=pipeline_n)
    if "memory" in parts:
        log.info("memory: streamed run over %d sentences in a child process", n)
        result["variants"]["memory"] = memory_in_child(n, chunk_size=chunk_size, seed=seed, settings=base)
    result["ratios"] = ratios(result)
    result["goals"] = goals(result)
    result["machine"]["loadavg_end"] = list(os.getloadavg())
    return result
