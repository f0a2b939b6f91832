"""Calibrating and checking the ``shared`` threshold on hand-labelled accounts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from framing.analysis.alignment._common import Mode, default_threshold
from framing.analysis.alignment._matching import match, similarity


def load_pairs(path: str | Path) -> pd.DataFrame:
    """Read labelled accounts: ``pair_id, side, claim_id, text, counterparts`` (``;``-separated ids).

    Parameters
    ----------
    path
        A CSV file (``#`` starts a comment line).

    Returns
    -------
    pandas.DataFrame
        The file as strings, one row per claim.

    Raises
    ------
    ValueError
        Naming the file and line of a counterpart id that does not exist on
        the other side of its pair, or the missing columns.

    Examples
    --------
    >>> import io
    >>> csv = ("pair_id,side,claim_id,text,counterparts\\n"
    ...        "p,a,a1,Talks must begin.,b1\\np,b,b1,Talks should start.,a1\\n")
    >>> load_pairs(io.StringIO(csv))["claim_id"].tolist()
    ['a1', 'b1']
    """
    df = pd.read_csv(path, comment="#", dtype=str, keep_default_na=False)
    need = {"pair_id", "side", "claim_id", "text", "counterparts"}
    if not need <= set(df.columns):
        raise ValueError(f"{path}: needs the columns {sorted(need)}, has {list(df.columns)}")
    for line, row in df.iterrows():
        ids = set(df.loc[(df["pair_id"] == row["pair_id"]) & (df["side"] != row["side"]), "claim_id"])
        for cid in filter(None, (c.strip() for c in row["counterparts"].split(";"))):
            if cid not in ids:
                raise ValueError(f"{path}, data row {int(line) + 1}: counterpart {cid!r} is not a claim on "
                                 f"the other side of pair {row['pair_id']!r}")
    return df


def _gold_pairs(path: str | Path | pd.DataFrame) -> list[tuple[pd.DataFrame, pd.DataFrame]]:
    df = path if isinstance(path, pd.DataFrame) else load_pairs(path)
    return [(g[g["side"] == "a"].reset_index(drop=True), g[g["side"] == "b"].reset_index(drop=True))
            for _, g in df.groupby("pair_id", sort=False)]


def _shared_scores(gold: Sequence[tuple[pd.DataFrame, pd.DataFrame]], sims: Sequence[np.ndarray],
                   threshold: float, mode: Mode) -> dict[str, float]:
    """Precision, recall and F1 of ``shared`` over every claim of every pair, and strict variants."""
    tp = fp = fn = tp_strict = 0
    for (ga, gb), sim in zip(gold, sims, strict=True):
        pairs = match(sim, threshold, mode=mode)
        for side, g, other in (("a", ga, gb), ("b", gb, ga)):
            k = 0 if side == "a" else 1
            for i, row in g.iterrows():
                truth = {c.strip() for c in row["counterparts"].split(";") if c.strip()}
                got = {other["claim_id"].iloc[p[1 - k]] for p in pairs if p[k] == i}
                tp += bool(truth) and bool(got)
                tp_strict += bool(got) and got <= truth and bool(truth)
                fp += bool(got) and not truth
                fn += bool(truth) and not got
    prec = tp / (tp + fp) if tp + fp else float("nan")
    rec = tp / (tp + fn) if tp + fn else float("nan")
    f1 = 2 * prec * rec / (prec + rec) if tp else 0.0
    return {"precision": prec, "recall": rec, "f1": f1, "tp": tp, "fp": fp, "fn": fn,
            "counterpart_correct": tp_strict / tp if tp else float("nan")}


def evaluate_alignment(path: str | Path | pd.DataFrame, *, threshold: float | None = None,
                       model: Any = None, mode: Mode = "one_to_one") -> dict[str, float]:
    """Precision and recall of the ``shared`` status on labelled accounts.

    A claim is a true positive when it is labelled with a counterpart and
    :func:`align` marks it ``shared``; ``counterpart_correct`` is the share of
    those matched only to labelled counterparts.

    Parameters
    ----------
    path
        Labelled accounts (a file for :func:`load_pairs`, or its table).
    threshold
        Default the stored one (``alignment.yaml``).
    model
        A loaded sentence encoder (``framing.load_model()``), as in :func:`align`.
    mode
        As in :func:`align`.

    Returns
    -------
    dict
        ``precision, recall, f1, tp, fp, fn, counterpart_correct``.

    Examples
    --------
    >>> import framing
    >>> evaluate_alignment(framing.paths().root / "data/gold/alignment/evaluation.csv",
    ...                    model=framing.load_model())  # doctest: +SKIP
    {'precision': ..., 'recall': ..., ...}
    """
    gold = _gold_pairs(path)
    sims = [similarity(ga["text"].tolist(), gb["text"].tolist(), model=model) for ga, gb in gold]
    thr = default_threshold() if threshold is None else float(threshold)
    return _shared_scores(gold, sims, thr, mode)


def _gold_file(name: str) -> Path:
    """A file of the labelled alignment data: ``data/gold/alignment/<name>`` of the project."""
    from framing.config import paths

    return paths().root / "data" / "gold" / "alignment" / name


def _grid() -> np.ndarray:
    """The thresholds the calibrations try: 0.20, 0.21, ..., 0.95."""
    return np.round(np.arange(0.20, 0.951, 0.01), 2)


def _best_threshold(scores: Mapping[float, float]) -> float:
    """The threshold with the best score; ties go to the median of the tied thresholds."""
    best = max(scores.values())
    tied = sorted(t for t, s in scores.items() if s >= best - 1e-12)
    return round(float(tied[len(tied) // 2]), 2)


def calibrate_threshold(path: str | Path | pd.DataFrame | None = None, *, model: Any = None,
                        mode: Mode = "one_to_one", grid: Sequence[float] | None = None) -> float:
    """Recompute the ``shared`` threshold: the one that maximises F1 on labelled accounts.

    Parameters
    ----------
    path
        Labelled accounts (see :func:`load_pairs`); default the calibration set
        ``data/gold/alignment/calibration.csv``. Never the evaluation set.
    model
        A loaded sentence encoder (``framing.load_model()``), as in :func:`align`.
    mode
        As in :func:`align`.
    grid
        Thresholds to try; default 0.20, 0.21, ..., 0.95.

    Returns
    -------
    float
        The best threshold (ties: the median of the tied ones), rounded to 0.01.

    Examples
    --------
    >>> import framing
    >>> calibrate_threshold(model=framing.load_model())  # doctest: +SKIP
    0.41
    """
    gold = _gold_pairs(_gold_file("calibration.csv") if path is None else path)
    sims = [similarity(ga["text"].tolist(), gb["text"].tolist(), model=model) for ga, gb in gold]
    ts = _grid() if grid is None else list(grid)
    return _best_threshold({float(t): _shared_scores(gold, sims, float(t), mode)["f1"] for t in ts})
