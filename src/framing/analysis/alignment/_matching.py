"""Matching the claims of two accounts: similarity, a global assignment, and an optional NLI check."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from framing.analysis.alignment._common import (
    COLUMNS,
    Mode,
    Sentences,
    _claims,
    _encoder,
    _nli,
    default_threshold,
)


def similarity(a: Sequence[str], b: Sequence[str], *, model: Any = None) -> np.ndarray:
    """Cosine similarity of every sentence of ``a`` with every sentence of ``b``.

    Parameters
    ----------
    a, b
        Sentences.
    model
        A loaded sentence encoder (:func:`framing.load_model`, or any object
        whose ``encode(texts)`` returns L2-normalised rows).

    Returns
    -------
    numpy.ndarray
        Shape ``(len(a), len(b))``, values clipped to [-1, 1].

    Examples
    --------
    >>> import framing
    >>> similarity(["Talks must begin."], ["Negotiations should start."],
    ...            model=framing.load_model()).shape  # doctest: +SKIP
    (1, 1)
    """
    enc = _encoder(model)
    if not len(a) or not len(b):
        return np.zeros((len(a), len(b)), dtype=np.float32)
    emb = np.asarray(enc.encode([*a, *b]))  # one call: the model runs once
    return np.clip(emb[: len(a)] @ emb[len(a):].T, -1.0, 1.0)


def match(sim: np.ndarray, threshold: float, *, mode: Mode = "one_to_one",
          max_matches: int = 3) -> list[tuple[int, int]]:
    """Pairs ``(i, j)`` of a global assignment that maximises the summed similarity of matched pairs.

    Only pairs at or above ``threshold`` can be matched. ``one_to_one``: each
    row and each column at most once. ``one_to_many``: a row (a claim of
    ``a``) may take up to ``max_matches`` columns, each column at most one row
    (one claim split over several sentences of the other account).

    Parameters
    ----------
    sim
        Similarities, shape ``(len(a), len(b))`` (see :func:`similarity`).
    threshold
        Lowest similarity of a matched pair.
    mode, max_matches
        As in :func:`align`.

    Returns
    -------
    list of tuple
        The matched ``(row, column)`` pairs, sorted.

    Examples
    --------
    >>> sim = np.array([[0.9, 0.8], [0.85, 0.1]])
    >>> match(sim, 0.5)  # greedy would pair (0, 0) and leave row 1 alone
    [(0, 1), (1, 0)]
    >>> match(np.array([[0.9, 0.7]]), 0.5, mode="one_to_many")
    [(0, 0), (0, 1)]
    """
    from scipy.optimize import linear_sum_assignment

    if mode not in ("one_to_one", "one_to_many"):
        raise ValueError(f"unknown mode {mode!r}: use 'one_to_one' or 'one_to_many'")
    if sim.size == 0:
        return []
    copies = max(1, int(max_matches)) if mode == "one_to_many" else 1
    ok = sim >= threshold
    # each matched pair earns its similarity; pairs below the threshold earn nothing
    profit = np.tile(np.where(ok, sim, 0.0), (copies, 1))
    rows, cols = linear_sum_assignment(profit, maximize=True)
    n = sim.shape[0]
    return sorted({(int(r % n), int(c)) for r, c in zip(rows, cols, strict=True) if ok[r % n, c]})


def _nli_probs(nli: Any, a: Sequence[str], b: Sequence[str]) -> np.ndarray:
    """Probabilities of (entailment, neutral, contradiction) per pair, averaged over both directions.

    :meth:`NLIModel.entail` gives a two-way softmax; the full three-way one is
    recovered from two such calls (entailment vs contradiction, entailment vs
    neutral), so the model is only ever run through its own ``entail``.
    """
    labels = {int(i): str(lab).lower() for i, lab in (nli.model.config.id2label or {}).items()}
    neutral = next((i for i, lab in labels.items() if lab.startswith("neutral")), None)
    eps = 1e-6

    def probs(prem: Sequence[str], hyp: Sequence[str]) -> np.ndarray:
        p_ec = np.clip(nli.entail(prem, hyp), eps, 1 - eps)
        if neutral is None:
            return np.stack([p_ec, np.zeros_like(p_ec), 1 - p_ec], axis=1)
        p_en = np.clip(replace(nli, contradiction_id=neutral).entail(prem, hyp), eps, 1 - eps)
        odds = np.stack([np.ones_like(p_ec), (1 - p_en) / p_en, (1 - p_ec) / p_ec], axis=1)
        return odds / odds.sum(axis=1, keepdims=True)

    return (probs(a, b) + probs(b, a)) / 2


def _nli_relations(nli: Any, a: Sequence[str], b: Sequence[str]) -> list[str]:
    """entails / neutral / contradicts for each pair (the most probable of :func:`_nli_probs`)."""
    if not len(a):
        return []
    names = np.array(["entails", "neutral", "contradicts"])
    return names[_nli_probs(nli, a, b).argmax(axis=1)].tolist()


def _relation_column(out: pd.DataFrame, nli: Any, ca: pd.DataFrame, cb: pd.DataFrame,
                     pairs: Sequence[tuple[int, int]]) -> list[str | None]:
    """The NLI relation of each row of :func:`align`'s table (``None`` for an unmatched claim)."""
    shared_pairs = [(i, j) for i, j in pairs]
    rel = _nli_relations(nli, [ca["text"].iloc[i] for i, _ in shared_pairs],
                         [cb["text"].iloc[j] for _, j in shared_pairs])
    by_a: dict[str, str] = {}
    by_b: dict[str, str] = {}
    for (i, j), r in zip(shared_pairs, rel, strict=True):
        by_b[cb["claim_id"].iloc[j]] = r
        # a claim matched to several sentences keeps the strongest disagreement
        prev = by_a.get(ca["claim_id"].iloc[i])
        by_a[ca["claim_id"].iloc[i]] = r if prev is None or r == "contradicts" else prev
    return [(by_a if s == "a" else by_b).get(c) for s, c in zip(out["side"], out["claim_id"], strict=True)]


def align(
    a: Sentences,
    b: Sentences,
    *,
    model: Any = None,
    threshold: float | None = None,
    mode: Mode = "one_to_one",
    max_matches: int = 3,
    nli: Any = None,
) -> pd.DataFrame:
    """Match the claims of two accounts of the same event.

    Parameters
    ----------
    a, b
        The two accounts: lists of sentences, or sentence tables with ``text``
        (and ``sent_id``, used as the claim id; list items get ``a1, a2, ...``).
    model
        A loaded sentence encoder: ``framing.load_model()`` (the embedded
        all-MiniLM-L6-v2, or ``FRAMING_MODEL``) or any object with
        ``encode(texts)``. A name or path raises ``TypeError``: load it first.
    threshold
        Similarity from which a matched pair is ``shared``; default the value
        calibrated for the embedded encoder (``alignment.yaml``).
    mode
        ``one_to_one`` (default) or ``one_to_many``: a claim of ``a`` may match
        up to ``max_matches`` sentences of ``b`` (a readout's claim split over
        two sentences of an article).
    nli
        A loaded NLI model (``framing.load_model(path)``, or any object with
        ``entail(premises, hypotheses)``). When given, a ``relation`` column
        says whether each shared pair ``entails``, ``contradicts`` or is
        ``neutral`` (averaged over both directions).

    Returns
    -------
    pandas.DataFrame
        One row per claim of ``a`` then of ``b``: ``side`` (a/b), ``claim_id``,
        ``text``, ``counterpart_id`` and ``counterpart_text`` (the matched
        claim(s), joined by ``"; "`` and ``" | "``; for an unmatched claim the
        most similar one), ``similarity`` (of that counterpart; the best one if
        several), ``status`` (``shared``, ``only_a``, ``only_b``) and, with
        ``nli``, ``relation``. ``attrs`` holds the threshold and mode.

    Examples
    --------
    >>> import framing
    >>> enc = framing.load_model()  # doctest: +SKIP
    >>> t = align(["Both leaders discussed climate change.", "Putin raised NATO."],
    ...           ["The two discussed the climate.", "Johnson mentioned Salisbury."],
    ...           model=enc)  # doctest: +SKIP
    >>> t["status"].tolist()  # doctest: +SKIP
    ['shared', 'only_a', 'shared', 'only_b']
    """
    nli_model = _nli(nli) if nli is not None else None
    ca, cb = _claims(a, "a"), _claims(b, "b")
    thr = default_threshold() if threshold is None else float(threshold)
    sim = similarity(ca["text"].tolist(), cb["text"].tolist(), model=model)
    pairs = match(sim, thr, mode=mode, max_matches=max_matches)
    rows = []
    for side, own, other, axis_sim, status in (
        ("a", ca, cb, sim, "only_a"),
        ("b", cb, ca, sim.T, "only_b"),
    ):
        idx = 0 if side == "a" else 1
        partners: dict[int, list[int]] = {}
        for pair in pairs:
            partners.setdefault(pair[idx], []).append(pair[1 - idx])
        for i, claim in own.iterrows():
            mine = sorted(partners.get(int(i), []), key=lambda j, i=i: -axis_sim[i, j])
            if not mine and len(other):
                mine_best = [int(np.argmax(axis_sim[i]))]
            else:
                mine_best = mine
            rows.append({
                "side": side,
                "claim_id": claim["claim_id"],
                "text": claim["text"],
                "counterpart_id": "; ".join(other["claim_id"].iloc[j] for j in mine_best) or None,
                "counterpart_text": " | ".join(other["text"].iloc[j] for j in mine_best) or None,
                "similarity": float(axis_sim[i, mine_best[0]]) if mine_best else np.nan,
                "status": "shared" if mine else status,
            })
    out = pd.DataFrame(rows, columns=COLUMNS)
    if nli_model is not None:
        out["relation"] = _relation_column(out, nli_model, ca, cb, pairs)
    out.attrs.update({"threshold": thr, "mode": mode})
    return out
