"""The benchmark's arithmetic: agreement between modes, ratios, goals and the printed table.

:func:`framing.quality.bench.run` measures; the functions here turn its
measurements into comparisons. They take and return plain dicts, so they can
be checked on made-up rates.

Examples
--------
>>> from framing.quality.bench_results import ratios
>>> result = {"variants": {"limit_fp32": {"rate": 100.0}, "project_cold_fp32": {"rate": 90.0}}}
>>> ratios(result)["project_cold_fp32"]["vs_limit_fp32"]
0.9
"""

from __future__ import annotations

from typing import Any

import numpy as np

from framing.config import DEFAULT_BACKEND, resolve_precision

FRAME_THRESHOLD = 0.5  # a frame counts as present from this probability on
#: a mode may be the default when its probabilities stay this close alone and inside batches ...
DEFAULT_BATCH_TOLERANCE = 1e-3
#: ... and its labels agree with PyTorch fp32 on at least this share of the dev split's pairs
DEFAULT_MIN_AGREEMENT = 0.99
#: goals on this project's machine; the memory goal and the batch difference are upper bounds
GOALS = {
    "default_vs_limit_fp32": 1.6,
    "cold_default_vs_limit_default": 0.9,
    "dev_agreement_of_default": DEFAULT_MIN_AGREEMENT,
    "batch_prob_diff_of_default": DEFAULT_BATCH_TOLERANCE,
    "project_vs_zero_shot": 20.0,
    "warm_vs_cold": 50.0,
    "memory_peak_mb_100k": 2048.0,
}
_AT_MOST = {"batch_prob_diff_of_default", "memory_peak_mb_100k"}


def _labels(stance: Any, frames: Any) -> tuple[np.ndarray, np.ndarray]:
    """Labels and probabilities of every sentence–target and sentence–frame pair, in table order."""
    labels = np.concatenate(
        [stance["label"].to_numpy(dtype=str), np.where(frames["prob"] >= FRAME_THRESHOLD, "yes", "no")]
    )
    probs = np.concatenate(
        [stance[["favor", "against", "none"]].to_numpy().ravel(), frames["prob"].to_numpy()]
    )
    return labels, probs


def agreement(reference: tuple[Any, Any], other: tuple[Any, Any]) -> dict[str, float]:
    """Share of identical labels and largest probability difference between two scorings.

    Parameters
    ----------
    reference, other
        ``(stance, frames)`` tables of the same sentences, in the same order
        (``score_stance`` and ``score_frames`` output). A frame's label is
        whether its probability reaches :data:`FRAME_THRESHOLD`.

    Returns
    -------
    dict
        ``label_agreement`` (share of identical labels), ``max_prob_diff``
        and ``pairs`` (sentence-target plus sentence-frame pairs compared).

    Examples
    --------
    >>> import pandas as pd
    >>> st = pd.DataFrame({"label": ["favor"], "favor": [.6], "against": [.3], "none": [.1]})
    >>> fr = pd.DataFrame({"prob": [0.7]})
    >>> st2 = st.assign(label="none", favor=.3, none=.4)
    >>> agreement((st, fr), (st2, fr))
    {'label_agreement': 0.5, 'max_prob_diff': 0.3, 'pairs': 2}
    """
    la, pa = _labels(*reference)
    lb, pb = _labels(*other)
    return {
        "label_agreement": round(float((la == lb).mean()), 6),
        "max_prob_diff": round(float(np.abs(pa - pb).max()), 6),
        "pairs": int(len(la)),
    }


def _rate(result: dict[str, Any], name: str) -> float | None:
    v = result["variants"].get(name)
    return None if v is None else float(v["rate"])


def _div(a: float | None, b: float | None) -> float | None:
    return None if a is None or not b else round(a / b, 3)


def ratios(result: dict[str, Any]) -> dict[str, dict[str, float | None]]:
    """Each variant's rate over the fp32 limit, over the zero-shot pipeline, and warm over cold.

    Parameters
    ----------
    result
        A benchmark result with ``variants`` (see :func:`framing.quality.bench.run`).

    Returns
    -------
    dict
        Per variant, ``vs_limit_fp32`` and ``vs_zero_shot`` (``None`` when
        either rate is missing) and, for warm runs, ``warm_vs_cold``.

    Examples
    --------
    >>> r = {"variants": {"limit_fp32": {"rate": 100.0}, "pipeline_zero_shot": {"rate": 4.0},
    ...                   "project_warm_fp32": {"rate": 5000.0}, "project_cold_fp32": {"rate": 50.0}}}
    >>> ratios(r)["project_warm_fp32"]
    {'vs_limit_fp32': 50.0, 'vs_zero_shot': 1250.0, 'warm_vs_cold': 100.0}
    """
    lim, zs = _rate(result, "limit_fp32"), _rate(result, "pipeline_zero_shot")
    out: dict[str, dict[str, float | None]] = {}
    for name in result["variants"]:
        r = _rate(result, name)
        row = {"vs_limit_fp32": _div(r, lim), "vs_zero_shot": _div(r, zs)}
        if name.startswith("project_warm_"):
            row["warm_vs_cold"] = _div(r, _rate(result, name.replace("warm", "cold")))
        out[name] = row
    return out


def _eligible(result: dict[str, Any], mode: str) -> bool:
    """Whether a mode may be the default: batch-independent and agreeing with PyTorch fp32."""
    if mode == "fp32":
        return True
    agree = result.get("agreement_dev", {}).get(mode) or result["agreement"].get(mode)
    batch = result["batch_difference"].get(mode)
    return bool(
        agree and batch and agree["label_agreement"] >= DEFAULT_MIN_AGREEMENT
        and batch["label_agreement"] == 1.0 and batch["max_prob_diff"] <= DEFAULT_BATCH_TOLERANCE
    )


def goals(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The performance goals, each with its measured value and whether it is met.

    ``fastest_batch_independent`` is the mode with the highest encoder rate
    among PyTorch fp32 and the modes whose probabilities stay within
    :data:`DEFAULT_BATCH_TOLERANCE` alone and inside two batches and whose
    labels agree with fp32 on at least :data:`DEFAULT_MIN_AGREEMENT` of the
    dev split's pairs (of the workload's when the dev split was not scored):
    the rule the default follows. ``default`` is the mode a plain ``framing
    score`` runs in, with whether it is that fastest mode.

    Parameters
    ----------
    result
        A benchmark result with ``variants``, ``agreement`` and
        ``batch_difference`` (``agreement_dev`` and ``settings`` optional).

    Returns
    -------
    dict
        Per goal of :data:`GOALS`, ``value``, ``target`` and ``met`` (``None``
        when not measured), plus ``fastest_batch_independent`` and ``default``.

    Examples
    --------
    >>> r = {"variants": {"limit_fp32": {"rate": 100.0}, "limit_ct2_int8": {"rate": 200.0},
    ...                   "project_cold_ct2_int8": {"rate": 190.0}},
    ...      "agreement": {}, "agreement_dev": {"ct2_int8": {"label_agreement": 0.997}},
    ...      "batch_difference": {"ct2_int8": {"label_agreement": 1.0, "max_prob_diff": 0.0}}}
    >>> g = goals(r)
    >>> g["default_vs_limit_fp32"], g["cold_default_vs_limit_default"]["met"]
    ({'value': 2.0, 'target': 1.6, 'met': True}, True)
    >>> g["fastest_batch_independent"]["value"]
    'ct2_int8'
    """
    default = (result.get("settings") or {}).get("default_mode") or default_mode()
    modes = {k.removeprefix("limit_") for k in result["variants"] if k.startswith("limit_")}
    fastest = max(["fp32", *(m for m in modes if _eligible(result, m))],
                  key=lambda m: _rate(result, f"limit_{m}") or 0.0)  # fmt: skip
    lim = _rate(result, "limit_fp32")
    cold = _rate(result, f"project_cold_{default}")
    agree = result.get("agreement_dev", {}).get(default) or {}
    batch = result["batch_difference"].get(default) or {}
    values = {
        "default_vs_limit_fp32": _div(_rate(result, f"limit_{default}"), lim),
        "cold_default_vs_limit_default": _div(cold, _rate(result, f"limit_{default}")),
        "dev_agreement_of_default": agree.get("label_agreement"),
        "batch_prob_diff_of_default": batch.get("max_prob_diff"),
        "project_vs_zero_shot": _div(cold, _rate(result, "pipeline_zero_shot")),
        "warm_vs_cold": _div(_rate(result, f"project_warm_{default}"), cold),
        "memory_peak_mb_100k": (result["variants"].get("memory") or {}).get("peak_rss_mb"),
    }
    out: dict[str, dict[str, Any]] = {}
    for name, target in GOALS.items():
        v = values[name]
        met = None if v is None else (v <= target if name in _AT_MOST else v >= target)
        out[name] = {"value": v, "target": target, "met": met}
    out["fastest_batch_independent"] = {"value": fastest, "target": None, "met": None}
    out["default"] = {"value": default, "target": None, "met": None, "is_fastest": fastest == default}
    mem = result["variants"].get("memory")
    if mem and mem["sentences"] < 100_000:
        out["memory_peak_mb_100k"]["note"] = f"measured over {mem['sentences']} sentences, not 100,000"
    return out


def _mode(backend: str, precision: str) -> str:
    prec = resolve_precision(backend, precision)
    return f"ct2_{prec}" if backend == "ctranslate2" else prec


def default_mode() -> str:
    """The mode a plain ``framing score`` runs in: the default backend at its own precision.

    Examples
    --------
    >>> default_mode()
    'ct2_int8'
    """
    return _mode(DEFAULT_BACKEND, "auto")


def table(result: dict[str, Any]) -> str:
    """The results as a plain-text table, for printing.

    Parameters
    ----------
    result
        A complete benchmark result (:func:`framing.quality.bench.run`).

    Returns
    -------
    str
        One line per variant with its rate, peak memory and ratios, then the
        agreement of each mode with PyTorch fp32, its batch independence, the
        goals and the machine, with the load at start and end (and
        ``PROVISIONAL`` when the machine was not quiet).

    Examples
    --------
    >>> r = {"variants": {"limit_fp32": {"rate": 100.0, "peak_rss_mb": 300.0}},
    ...      "agreement": {}, "batch_difference": {}, "goals": {},
    ...      "machine": {"cpu": "x", "cores": 2, "torch": "2", "loadavg": [0.5]}}
    >>> r["ratios"] = ratios(r)
    >>> print(table(r).splitlines()[2])  # doctest: +NORMALIZE_WHITESPACE
    limit_fp32 100.0 300 1.00 - -
    """
    head = (
        f"{'variant':<30} {'sent/s':>9} {'peak MB':>8} {'vs fp32 limit':>13} "
        f"{'vs zero-shot':>12} {'warm/cold':>9}"
    )
    lines = [head, "-" * len(head)]

    def fmt(x: Any, spec: str) -> str:
        return "-" if x is None else format(x, spec)

    for name, v in result["variants"].items():
        r = result["ratios"].get(name, {})
        lines.append(
            f"{name:<30} {v['rate']:>9.1f} {fmt(v.get('peak_rss_mb'), '.0f'):>8} "
            f"{fmt(r.get('vs_limit_fp32'), '.2f'):>13} {fmt(r.get('vs_zero_shot'), '.1f'):>12} "
            f"{fmt(r.get('warm_vs_cold'), '.1f'):>9}"
        )
    return "\n".join([*lines, "", *_footer(result)])


def _footer(result: dict[str, Any]) -> list[str]:
    """Agreement, batch independence, goals, the machine and its load, as lines."""
    lines = []
    for key, on in (("agreement", "the workload"), ("agreement_dev", "the dev split")):
        for mode, a in result.get(key, {}).items():
            lines.append(f"agreement {mode} vs fp32 on {on}: {a['label_agreement']:.2%} of {a['pairs']} "
                         f"labels, max probability difference {a['max_prob_diff']:.4f}")  # fmt: skip
    for mode, d in result["batch_difference"].items():
        lines.append(
            f"batch independence {mode}: {d['label_agreement']:.0%} identical labels, max probability "
            f"difference {d['max_prob_diff']:.2e} (alone vs inside two batches)"
        )
    for mode, key in (result.get("models") or {}).items():
        lines.append(f"mode {mode}: {key.get('backend')} {key.get('compute_type')}")
    lines.append("")
    for name, g in result["goals"].items():
        if g["target"] is not None:
            state = {True: "met", False: "NOT met", None: "not measured"}[g["met"]]
            lines.append(f"goal {name}: {g['value']} (target {g['target']}) {state}")
        elif name in ("fastest_batch_independent", "default"):
            lines.append(f"{name.replace('_', ' ')}: {g['value']}")
    m = result["machine"]
    quiet = m.get("quiet") or {}
    start = (quiet.get("loadavg") or m["loadavg"])[0]
    state = ("" if quiet.get("quiet") else
             f"; NOT quiet (1-minute load not below {quiet.get('below', 1.0)}): the rates are PROVISIONAL")
    lines.append(
        f"machine: {m['cpu']}, {m['cores']} cores, torch {m['torch']}, ctranslate2 {m.get('ctranslate2')}, "
        f"load average {start:.2f} at start (waited {quiet.get('waited_s', 0)} s), "
        f"{m.get('loadavg_end', [0])[0]:.2f} at end{state}"
    )
    return lines
