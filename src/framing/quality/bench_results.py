"""The benchmark's arithmetic: agreement between precisions, ratios, goals and the printed table.

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

FRAME_THRESHOLD = 0.5  # a frame counts as present from this probability on
GOALS = {
    "cold_fp32_vs_limit_fp32": 0.9,
    "fastest_batch_independent_vs_limit_fp32": 2.5,
    "label_agreement_of_fastest": 0.98,
    "project_vs_zero_shot": 20.0,
    "warm_vs_cold": 50.0,
    "memory_peak_mb_100k": 2048.0,
}


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


def goals(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The performance goals, each with its measured value and whether it is met.

    The fastest precision is the one with the highest encoder rate among fp32
    and the precisions whose labels agree with fp32 (at least
    ``GOALS["label_agreement_of_fastest"]``) and whose scores do not depend on
    the batch (within :data:`framing.scoring.models.BATCH_TOLERANCE`).

    Parameters
    ----------
    result
        A benchmark result with ``variants``, ``agreement`` and ``batch_difference``.

    Returns
    -------
    dict
        Per goal of :data:`GOALS`, ``value``, ``target`` and ``met`` (``None``
        when not measured), plus ``fastest_batch_independent``.

    Examples
    --------
    >>> r = {"variants": {"limit_fp32": {"rate": 100.0}, "project_cold_fp32": {"rate": 95.0}},
    ...      "agreement": {}, "batch_difference": {}}
    >>> goals(r)["cold_fp32_vs_limit_fp32"]
    {'value': 0.95, 'target': 0.9, 'met': True}
    """
    prec_ok = [
        p for p, a in result["agreement"].items()
        if a["label_agreement"] >= GOALS["label_agreement_of_fastest"]
        and result["batch_difference"].get(p, {}).get("label_agreement") == 1.0
        and result["batch_difference"][p]["max_prob_diff"] <= _tolerance()
    ]  # fmt: skip
    fastest = max(["fp32", *prec_ok], key=lambda p: _rate(result, f"limit_{p}") or 0.0)
    lim = _rate(result, "limit_fp32")
    values = {
        "cold_fp32_vs_limit_fp32": _div(_rate(result, "project_cold_fp32"), lim),
        "fastest_batch_independent_vs_limit_fp32": _div(_rate(result, f"limit_{fastest}"), lim),
        "label_agreement_of_fastest": result["agreement"].get(fastest, {}).get("label_agreement", 1.0),
        "project_vs_zero_shot": _div(
            _rate(result, f"project_cold_{fastest}") or _rate(result, "project_cold_fp32"),
            _rate(result, "pipeline_zero_shot"),
        ),
        "warm_vs_cold": _div(_rate(result, "project_warm_fp32"), _rate(result, "project_cold_fp32")),
        "memory_peak_mb_100k": (result["variants"].get("memory") or {}).get("peak_rss_mb"),
    }
    out: dict[str, dict[str, Any]] = {}
    for name, target in GOALS.items():
        v = values[name]
        met = None if v is None else (v <= target if name.startswith("memory") else v >= target)
        out[name] = {"value": v, "target": target, "met": met}
    out["fastest_batch_independent"] = {"value": fastest, "target": None, "met": None}
    mem = result["variants"].get("memory")
    if mem and mem["sentences"] < 100_000:
        out["memory_peak_mb_100k"]["note"] = f"measured over {mem['sentences']} sentences, not 100,000"
    return out


def _tolerance() -> float:
    from framing.scoring.models import BATCH_TOLERANCE

    return BATCH_TOLERANCE


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
        agreement of each precision with fp32, its batch independence, the
        goals and the machine.

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
    lines.append("")
    for prec, a in result["agreement"].items():
        lines.append(
            f"agreement {prec} vs fp32: {a['label_agreement']:.2%} of {a['pairs']} labels, "
            f"max probability difference {a['max_prob_diff']:.4f}"
        )
    for prec, d in result["batch_difference"].items():
        lines.append(
            f"batch independence {prec}: {d['label_agreement']:.0%} identical labels, max probability "
            f"difference {d['max_prob_diff']:.2e} (alone vs inside two batches; tolerance {_tolerance()})"
        )
    lines.append("")
    for name, g in result["goals"].items():
        if g["target"] is not None:
            state = {True: "met", False: "NOT met", None: "not measured"}[g["met"]]
            lines.append(f"goal {name}: {g['value']} (target {g['target']}) {state}")
    m = result["machine"]
    lines.append(
        f"machine: {m['cpu']}, {m['cores']} cores, torch {m['torch']}, "
        f"load average {m['loadavg'][0]:.1f} at start, {m.get('loadavg_end', [0])[0]:.1f} at end"
    )
    return "\n".join(lines)
