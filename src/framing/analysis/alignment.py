"""Two accounts of one event: what both say, what only one says, and how quotations changed.

Three analyses on sentences (lists of strings or sentence tables):

- :func:`align` matches the claims of two accounts (two readouts of a call, a
  readout and an article, two articles) by the sentence encoder's similarity,
  with a global assignment (:func:`scipy.optimize.linear_sum_assignment`), and
  marks each claim ``shared``, ``only_a`` or ``only_b``. The similarity
  threshold is calibrated on hand-labelled accounts
  (``data/gold/alignment/calibration.csv``) and stored in the codebook
  ``alignment.yaml``; :func:`calibrate_threshold` recomputes it.
- :func:`topic_coverage` says which topics of the codebook ``topics.yaml``
  each account mentions at all (selection and omission, Entman 1993).
- :func:`carriage` says which claims of a readout an article carried (quoted
  or paraphrased) or dropped, and how faithful each quotation is: ``exact``,
  ``near`` (small edits, shown) or ``reworded``. Case, punctuation and
  British/American spelling (emphasised/emphasized) do not count as edits.
"""

from __future__ import annotations

import difflib
import functools
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from framing import _codebooks

log = logging.getLogger(__name__)

Mode = Literal["one_to_one", "one_to_many"]
Fidelity = Literal["exact", "near", "reworded"]
Sentences = Sequence[str] | pd.DataFrame

ALIGNMENT_CODEBOOK = "alignment.yaml"
TOPICS_CODEBOOK = "topics.yaml"
COLUMNS = ["side", "claim_id", "text", "counterpart_id", "counterpart_text", "similarity", "status"]


# --------------------------------------------------------------------------- settings


@functools.lru_cache(maxsize=8)
def _settings(name: str = ALIGNMENT_CODEBOOK) -> dict[str, Any]:
    data = _codebooks.load_yaml(name) or {}
    for key in ("threshold", "near_ratio"):
        if not isinstance(data.get(key), int | float):
            raise ValueError(f"{name}: '{key}' must be a number (see the comment at the top of the file)")
    return data


def default_threshold() -> float:
    """The calibrated similarity threshold stored in ``alignment.yaml``.

    Examples
    --------
    >>> 0 < default_threshold() < 1
    True
    """
    return float(_settings()["threshold"])


# --------------------------------------------------------------------------- inputs


def _encoder(model: Any) -> Any:
    """A loaded encoder (anything with ``encode``), or load one by name."""
    if model is not None and hasattr(model, "encode"):
        return model
    from framing.scoring.models import resolve_model

    enc = resolve_model(model)
    if not hasattr(enc, "encode"):
        raise ValueError(
            f"{enc.name} is an NLI model: give a sentence encoder as `model` and the NLI model as `nli`"
        )
    return enc


def _claims(x: Sentences, side: str) -> pd.DataFrame:
    """``claim_id, text`` from a list of strings (ids a1, a2, ...) or a sentence table (its ``sent_id``)."""
    if isinstance(x, pd.DataFrame):
        if "text" not in x.columns:
            raise ValueError(f"the sentences given for side {side!r} have no 'text' column")
        key = next((c for c in ("claim_id", "sent_id") if c in x.columns), None)
        ids = x[key] if key else [f"{side}{i + 1}" for i in range(len(x))]
        out = pd.DataFrame({"claim_id": list(ids), "text": x["text"].astype(str).tolist()})
    elif isinstance(x, str):
        raise TypeError(f"side {side!r}: give a list of sentences, not one string")
    else:
        texts = [str(t) for t in x]
        out = pd.DataFrame({"claim_id": [f"{side}{i + 1}" for i in range(len(texts))], "text": texts})
    out["claim_id"] = out["claim_id"].astype(str)
    if not out["claim_id"].is_unique:
        dup = out["claim_id"][out["claim_id"].duplicated()].tolist()
        raise ValueError(f"side {side!r} has duplicate claim ids: {dup}")
    return out.reset_index(drop=True)


def similarity(a: Sequence[str], b: Sequence[str], *, model: Any = None) -> np.ndarray:
    """Cosine similarity of every sentence of ``a`` with every sentence of ``b`` (shape ``len(a), len(b)``).

    Examples
    --------
    >>> similarity(["Talks must begin."], ["Negotiations should start."]).shape  # doctest: +SKIP
    (1, 1)
    """
    if not len(a) or not len(b):
        return np.zeros((len(a), len(b)), dtype=np.float32)
    emb = np.asarray(_encoder(model).encode([*a, *b]))  # one call: the model runs once
    return np.clip(emb[: len(a)] @ emb[len(a):].T, -1.0, 1.0)


# --------------------------------------------------------------------------- matching


def match(sim: np.ndarray, threshold: float, *, mode: Mode = "one_to_one",
          max_matches: int = 3) -> list[tuple[int, int]]:
    """Pairs ``(i, j)`` of a global assignment that maximises the summed similarity of matched pairs.

    Only pairs at or above ``threshold`` can be matched. ``one_to_one``: each
    row and each column at most once. ``one_to_many``: a row (a claim of
    ``a``) may take up to ``max_matches`` columns, each column at most one row
    (one claim split over several sentences of the other account).

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
    neutral), so no other module than :mod:`framing.scoring.models` runs the model.
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
        A sentence encoder (loaded, or a name); default ``FRAMING_MODEL`` or
        the embedded all-MiniLM-L6-v2.
    threshold
        Similarity from which a matched pair is ``shared``; default the value
        calibrated for the embedded encoder (``alignment.yaml``).
    mode
        ``one_to_one`` (default) or ``one_to_many``: a claim of ``a`` may match
        up to ``max_matches`` sentences of ``b`` (a readout's claim split over
        two sentences of an article).
    nli
        An NLI model (loaded, or a name). When given, a ``relation`` column says
        whether each shared pair ``entails``, ``contradicts`` or is ``neutral``
        (averaged over both directions).

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
    >>> t = align(["Both leaders discussed climate change.", "Putin raised NATO."],
    ...           ["The two discussed the climate.", "Johnson mentioned Salisbury."])  # doctest: +SKIP
    >>> t["status"].tolist()  # doctest: +SKIP
    ['shared', 'only_a', 'shared', 'only_b']
    """
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
    if nli is not None:
        from framing.scoring.models import resolve_model

        nli_model = nli if hasattr(nli, "entail") else resolve_model(nli)
        if not hasattr(nli_model, "entail"):
            raise ValueError(f"{nli_model.name} is not an NLI model (it has no entailment labels)")
        shared_pairs = [(i, j) for i, j in pairs]
        rel = _nli_relations(nli_model, [ca["text"].iloc[i] for i, _ in shared_pairs],
                             [cb["text"].iloc[j] for _, j in shared_pairs])
        by_a: dict[str, str] = {}
        by_b: dict[str, str] = {}
        for (i, j), r in zip(shared_pairs, rel, strict=True):
            by_b[cb["claim_id"].iloc[j]] = r
            # a claim matched to several sentences keeps the strongest disagreement
            prev = by_a.get(ca["claim_id"].iloc[i])
            by_a[ca["claim_id"].iloc[i]] = r if prev is None or r == "contradicts" else prev
        out["relation"] = [
            (by_a if s == "a" else by_b).get(c) for s, c in zip(out["side"], out["claim_id"], strict=True)
        ]
    out.attrs.update({"threshold": thr, "mode": mode})
    return out


# --------------------------------------------------------------------------- calibration


def load_pairs(path: str | Path) -> pd.DataFrame:
    """Read labelled accounts: ``pair_id, side, claim_id, text, counterparts`` (``;``-separated ids).

    Raises ``ValueError`` naming the file and line of a counterpart id that does
    not exist on the other side of its pair.
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

    Examples
    --------
    >>> from framing import paths
    >>> evaluate_alignment(paths().root / "data/gold/alignment/evaluation.csv")  # doctest: +SKIP
    {'precision': ..., 'recall': ..., ...}
    """
    gold = _gold_pairs(path)
    sims = [similarity(ga["text"].tolist(), gb["text"].tolist(), model=model) for ga, gb in gold]
    thr = default_threshold() if threshold is None else float(threshold)
    return _shared_scores(gold, sims, thr, mode)


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
    model, mode
        As in :func:`align`.
    grid
        Thresholds to try; default 0.20, 0.21, ..., 0.95.

    Examples
    --------
    >>> calibrate_threshold()  # doctest: +SKIP
    0.41
    """
    from framing.config import paths

    src = paths().root / "data" / "gold" / "alignment" / "calibration.csv" if path is None else path
    gold = _gold_pairs(src)
    sims = [similarity(ga["text"].tolist(), gb["text"].tolist(), model=model) for ga, gb in gold]
    ts = np.round(np.arange(0.20, 0.951, 0.01), 2) if grid is None else list(grid)
    return _best_threshold({float(t): _shared_scores(gold, sims, float(t), mode)["f1"] for t in ts})


# --------------------------------------------------------------------------- topics


def load_topics(topics: str | Path | None = None) -> pd.DataFrame:
    """Topics of a codebook (default ``topics.yaml``): ``topic, name, description, examples``.

    Examples
    --------
    >>> "minsk" in load_topics()["topic"].tolist()
    True
    """
    name = TOPICS_CODEBOOK if topics is None else topics
    data = _codebooks.load_yaml(name) or {}
    rows = []
    for k, t in enumerate(data.get("topics") or []):
        if not isinstance(t, dict) or not {"id", "name", "description"} <= set(t):
            raise ValueError(f"{name}: topic #{k + 1} needs 'id', 'name' and 'description'")
        rows.append({"topic": str(t["id"]), "name": str(t["name"]),
                     "description": str(t["description"]).strip(),
                     "examples": [str(e) for e in t.get("examples") or []]})
    if not rows:
        raise ValueError(f"{name}: no topics under 'topics:'")
    out = pd.DataFrame(rows)
    out.attrs["threshold"] = data.get("threshold")
    return out


def topic_similarity(sentences: Sequence[str], *, topics: str | Path | pd.DataFrame | None = None,
                     model: Any = None) -> pd.DataFrame:
    """Similarity of each sentence to each topic: the best over the topic's description and examples.

    Returns a table with one row per sentence and one column per topic id.
    """
    tt = topics if isinstance(topics, pd.DataFrame) else load_topics(topics)
    protos, owner = [], []
    for _, t in tt.iterrows():
        for text in [t["description"], *t["examples"]]:
            protos.append(text)
            owner.append(t["topic"])
    sim = similarity(list(sentences), protos, model=model)
    owner_arr = np.array(owner)
    cols = {tid: sim[:, owner_arr == tid].max(axis=1) if len(sentences) else np.zeros(0)
            for tid in tt["topic"]}
    return pd.DataFrame(cols)


def _texts(x: Sentences) -> list[str]:
    return _claims(x, "x")["text"].tolist()


def topic_coverage(
    accounts: Mapping[str, Sentences],
    *,
    topics: str | Path | pd.DataFrame | None = None,
    model: Any = None,
    threshold: float | None = None,
) -> pd.DataFrame:
    """Which topics each account mentions at all, and how often.

    Parameters
    ----------
    accounts
        Account name → its sentences (list of strings or sentence table).
    topics
        A topics codebook (name, path or the table of :func:`load_topics`);
        default ``topics.yaml``.
    model
        A sentence encoder; default the embedded one.
    threshold
        Similarity from which a sentence mentions a topic; default the value
        calibrated in the codebook (``threshold:``).

    Returns
    -------
    pandas.DataFrame
        Tidy: one row per account and topic, with ``account, topic, name,
        mentioned, n_sentences, share, best_similarity, example`` (the most
        similar sentence, if it mentions the topic). See :func:`coverage_table`
        for the side-by-side view and :func:`topic_coverage_chart` for a figure.

    Examples
    --------
    >>> cov = topic_coverage({"A": ["We discussed COP26 in Glasgow."],
    ...                       "B": ["NATO must not expand."]})  # doctest: +SKIP
    >>> wide = cov.pivot(index="topic", columns="account", values="mentioned")  # doctest: +SKIP
    >>> wide.loc["climate"].tolist()  # doctest: +SKIP
    [True, False]
    """
    tt = topics if isinstance(topics, pd.DataFrame) else load_topics(topics)
    thr = threshold if threshold is not None else tt.attrs.get("threshold")
    if not isinstance(thr, int | float):
        raise ValueError("the topics codebook has no numeric 'threshold': pass threshold=")
    texts_by = {account: _texts(sents) for account, sents in accounts.items()}
    # every account's sentences in one call, so the model runs once
    everything = [t for texts in texts_by.values() for t in texts]
    sim_all = topic_similarity(everything, topics=tt, model=model)
    rows = []
    start = 0
    for account, texts in texts_by.items():
        sim = sim_all.iloc[start:start + len(texts)].reset_index(drop=True)
        start += len(texts)
        for _, t in tt.iterrows():
            col = sim[t["topic"]].to_numpy() if len(texts) else np.zeros(0)
            hits = col >= thr
            best = int(np.argmax(col)) if len(col) else None
            rows.append({
                "account": account,
                "topic": t["topic"],
                "name": t["name"],
                "mentioned": bool(hits.any()),
                "n_sentences": int(hits.sum()),
                "share": float(hits.mean()) if len(col) else 0.0,
                "best_similarity": float(col[best]) if best is not None else np.nan,
                "example": texts[best] if best is not None and hits.any() else "",
            })
    out = pd.DataFrame(rows)
    out.attrs["threshold"] = float(thr)
    return out


def coverage_table(coverage: pd.DataFrame) -> pd.DataFrame:
    """Side by side: one row per topic, one column per account, the number of sentences mentioning it.

    Examples
    --------
    >>> cov = pd.DataFrame({"account": ["A", "B"], "topic": "nato", "name": "NATO", "n_sentences": [2, 0]})
    >>> coverage_table(cov).loc["NATO"].tolist()
    [2, 0]
    """
    order = list(dict.fromkeys(coverage["account"]))
    names = list(dict.fromkeys(coverage["name"]))
    wide = coverage.pivot(index="name", columns="account", values="n_sentences")
    return wide.loc[names, order].rename_axis(index="topic", columns=None)


def topic_coverage_chart(coverage: pd.DataFrame, *, palette: Mapping[str, str] | None = None,
                         ax: Any = None, title: str | None = None) -> tuple[Any, Any]:
    """Dot matrix of topics (rows) by account (columns): a filled dot where the account mentions it.

    The dot's area grows with the number of sentences; an empty ring marks a
    topic the account leaves out. Each account keeps its colour from
    :func:`framing.plots.palette`.

    Examples
    --------
    >>> cov = pd.DataFrame({"account": ["A", "B"], "topic": "nato", "name": "NATO",
    ...                     "n_sentences": [2, 0], "mentioned": [True, False]})
    >>> fig, ax = topic_coverage_chart(cov)
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['A', 'B']
    """
    import matplotlib.pyplot as plt

    from framing.plots import palette as _palette

    wide = coverage_table(coverage)
    accounts = list(wide.columns)
    colours = {**_palette(accounts), **(dict(palette) if palette else {})}
    if ax is None:
        size = (1.6 + 1.3 * len(accounts), 0.9 + 0.45 * len(wide))
        fig, ax = plt.subplots(figsize=size, layout="constrained")
    else:
        fig = ax.figure
    for x, acc in enumerate(accounts):
        for y, topic in enumerate(wide.index):
            n = int(wide.loc[topic, acc])
            if n:
                ax.scatter(x, y, s=90 + 70 * min(n, 6), color=colours[acc], zorder=3)
                ax.annotate(str(n), (x, y), ha="center", va="center", fontsize=8, color="white", zorder=4)
            else:
                ax.scatter(x, y, s=90, facecolors="none", edgecolors="#949494", zorder=3)
    ax.set_xticks(range(len(accounts)), accounts)
    ax.set_yticks(range(len(wide)), list(wide.index))
    ax.set_xlim(-0.6, len(accounts) - 0.4)
    ax.set_ylim(len(wide) - 0.5, -0.5)
    ax.grid(True, color="#eeeeee", zorder=0)
    ax.set_axisbelow(True)
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.set_title(title or "Topics each account mentions (number of sentences; ring = not mentioned)",
                 fontsize=10, loc="left")
    return fig, ax


def load_topic_examples(path: str | Path) -> pd.DataFrame:
    """Labelled sentences for the topic threshold: ``split, text, topics`` (``;``-separated, may be empty)."""
    df = pd.read_csv(path, comment="#", dtype=str, keep_default_na=False)
    if not {"text", "topics"} <= set(df.columns):
        raise ValueError(f"{path}: needs the columns 'text' and 'topics'")
    return df


def topic_scores(examples: pd.DataFrame, threshold: float, *, topics: Any = None,
                 model: Any = None, sim: pd.DataFrame | None = None) -> dict[str, float]:
    """Precision and recall of "mentions topic" over every (sentence, topic) decision."""
    tt = topics if isinstance(topics, pd.DataFrame) else load_topics(topics)
    sim = topic_similarity(examples["text"].tolist(), topics=tt, model=model) if sim is None else sim
    truth = np.array([[tid in {x.strip() for x in row.split(";")} for tid in tt["topic"]]
                      for row in examples["topics"]], dtype=bool).reshape(len(examples), len(tt))
    pred = sim[list(tt["topic"])].to_numpy() >= threshold
    tp = int((truth & pred).sum())
    fp = int((~truth & pred).sum())
    fn = int((truth & ~pred).sum())
    prec = tp / (tp + fp) if tp + fp else float("nan")
    rec = tp / (tp + fn) if tp + fn else float("nan")
    return {"precision": prec, "recall": rec, "f1": 2 * prec * rec / (prec + rec) if tp else 0.0,
            "tp": tp, "fp": fp, "fn": fn}


def calibrate_topic_threshold(path: str | Path | pd.DataFrame | None = None, *, split: str = "calibration",
                              topics: Any = None, model: Any = None) -> float:
    """Recompute the topic threshold: the one that maximises F1 on labelled sentences of ``split``.

    Default data: ``data/gold/alignment/topics.csv`` (never the seed article).
    """
    from framing.config import paths

    src = paths().root / "data" / "gold" / "alignment" / "topics.csv" if path is None else path
    ex = src if isinstance(src, pd.DataFrame) else load_topic_examples(src)
    if "split" in ex.columns:
        ex = ex[ex["split"] == split]
    tt = topics if isinstance(topics, pd.DataFrame) else load_topics(topics)
    sim = topic_similarity(ex["text"].tolist(), topics=tt, model=model)
    ts = np.round(np.arange(0.20, 0.951, 0.01), 2)
    return _best_threshold({float(t): topic_scores(ex, float(t), topics=tt, sim=sim)["f1"] for t in ts})


# --------------------------------------------------------------------------- quotations

_WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
_RULES = [
    (re.compile(r"^(\w{3,})is(e|es|ed|ing|ation|ations|er|ers)$"), r"\1iz\2"),
    (re.compile(r"^(\w{3,})ys(e|es|ed|ing)$"), r"\1yz\2"),
    (re.compile(r"^(\w{3,})our(s|ed|ing|able|ite|ites)?$"), r"\1or\2"),
    (re.compile(r"^(\w{2,}[aeiou])ll(ed|ing|er|ers)$"), r"\1l\2"),
]


@functools.lru_cache(maxsize=1)
def _variants() -> dict[str, str]:
    table = _settings().get("spelling_variants") or {}
    return {str(k).lower(): str(v).lower() for k, v in table.items()}


@functools.lru_cache(maxsize=4096)
def normalise_spelling(word: str) -> str:
    """One spelling for British and American variants of a word (lower case).

    The listed words of ``alignment.yaml`` first, then the rules documented
    there (-ise/-ize, -yse/-yze, -our/-or in long words, doubled l). Both the
    British and the American form map to the same key.

    Examples
    --------
    >>> normalise_spelling("emphasised") == normalise_spelling("emphasized")
    True
    >>> normalise_spelling("four") == normalise_spelling("for")
    False
    """
    w = word.lower().replace("’", "'")
    variants = _variants()
    if w in variants:
        return variants[w]
    if w in set(variants.values()):
        return w
    # the -our rule only for words of six letters or more (favour, not four or your)
    for pattern, repl in _RULES:
        if pattern is _RULES[2][0] and len(w) < 6:
            continue
        new = pattern.sub(repl, w)
        if new != w:
            return new
    return w


def _words(text: str) -> list[tuple[str, str]]:
    """(original word, normalised key) pairs; punctuation and case are not words."""
    return [(m.group(0), normalise_spelling(m.group(0))) for m in _WORD.finditer(str(text))]


def _plain(word: str) -> str:
    return word.lower().replace("’", "'")


def _edit(src: Sequence[str], dst: Sequence[str], ops: Sequence[tuple[str, int, int, int, int]]) -> str:
    parts = []
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            continue
        old, new = " ".join(src[i1:i2]), " ".join(dst[j1:j2])
        parts.append({"replace": f"[-{old}-]{{+{new}+}}", "delete": f"[-{old}-]",
                      "insert": f"{{+{new}+}}"}[tag])
    return "; ".join(parts)


def quote_fidelity(quote: str, source_texts: Sequence[str], *,
                   near_ratio: float | None = None) -> dict[str, Any]:
    """Compare a quotation with the wording of its source.

    The quotation is matched against every window of about its length in each
    source text (word level, ignoring case and punctuation, British and
    American spellings counted equal). The window with the most words in
    common, relative to the longer of the two, is its source wording, and
    difflib's ratio between the two decides:

    - ``exact``: the same words;
    - ``near``: difflib ratio at least ``near_ratio`` (``alignment.yaml``),
      with the edit shown as ``[-source words-]{+quoted words+}``;
    - ``reworded``: below that.

    Returns a dict with ``fidelity, ratio, source_index, source_wording, edit,
    spelling`` (variants that were counted equal, ``source/quote``).

    Examples
    --------
    >>> r = quote_fidelity("emphasized the commitment", ["He emphasised the commitment to peace."])
    >>> r["fidelity"], r["spelling"]
    ('exact', 'emphasised/emphasized')
    >>> quote_fidelity("stressed the commitment to peace", ["He emphasised the commitment to peace."])["edit"]
    '[-emphasised-]{+stressed+}'
    """
    near = float(_settings()["near_ratio"]) if near_ratio is None else float(near_ratio)
    q = _words(quote)
    qk = [k for _, k in q]
    best: dict[str, Any] = {"fidelity": "reworded", "ratio": 0.0, "source_index": None,
                            "source_wording": "", "edit": "", "spelling": ""}
    if not qk:
        return best
    slack = max(2, len(qk) // 4)
    best_key: tuple[float, int] = (0.0, -len(qk) - slack - 1)
    for si, text in enumerate(source_texts):
        s = _words(text)
        sk = [k for _, k in s]
        sizes = range(max(1, len(qk) - slack), min(len(sk), len(qk) + slack) + 1) if sk else range(0)
        for size in sizes:
            for start in range(0, len(sk) - size + 1):
                sm = difflib.SequenceMatcher(None, sk[start:start + size], qk, autojunk=False)
                same = sum(m.size for m in sm.get_matching_blocks())
                # words in common relative to the longer side, so a shorter window cannot win by
                # leaving out the word the quotation changed; then the window closest in length
                key = (same / max(size, len(qk)), -abs(size - len(qk)))
                if key > best_key:
                    best_key = key
                    window = s[start:start + size]
                    ops = sm.get_opcodes()
                    best = {"fidelity": None, "ratio": sm.ratio(), "source_index": si,
                            "source_wording": " ".join(w for w, _ in window),
                            "edit": _edit([w for w, _ in window], [w for w, _ in q], ops),
                            "spelling": "; ".join(
                                f"{window[i1 + d][0]}/{q[j1 + d][0]}"
                                for tag, i1, i2, j1, _ in ops if tag == "equal"
                                for d in range(i2 - i1)
                                if _plain(window[i1 + d][0]) != _plain(q[j1 + d][0])
                            )}
    if best["source_index"] is None or best["ratio"] == 0:
        return {**best, "fidelity": "reworded", "source_index": None, "source_wording": "", "edit": "",
                "spelling": ""}
    best["fidelity"] = "exact" if best["ratio"] >= 1.0 else "near" if best["ratio"] >= near else "reworded"
    if best["fidelity"] == "reworded":
        best["edit"] = ""  # a full rewrite is shown side by side, not as an edit
    return best


# --------------------------------------------------------------------------- carriage


@dataclass
class Carriage:
    """What an article carried of a readout.

    Attributes
    ----------
    claims
        One row per readout claim: ``claim_id, text, status`` (``quoted``,
        ``paraphrased``, ``dropped``), ``article_ids`` (sentences carrying it),
        ``similarity`` (best sentence) and ``quote_ids``.
    quotes
        One row per quotation attributed to the readout's source: ``quote_id,
        sent_id, text, fidelity, ratio, claim_id, source_wording, edit, spelling``.
    """

    claims: pd.DataFrame
    quotes: pd.DataFrame

    def summary(self) -> pd.Series:
        """Number of readout claims per status (quoted, paraphrased, dropped)."""
        order = ["quoted", "paraphrased", "dropped"]
        return self.claims["status"].value_counts().reindex(order, fill_value=0)


def carriage(
    readout: Sentences,
    article_sentences: pd.DataFrame | Sequence[str],
    quotes: pd.DataFrame | None = None,
    *,
    source: str | None = None,
    model: Any = None,
    threshold: float | None = None,
    near_ratio: float | None = None,
) -> Carriage:
    """Which claims of a readout an article carried, and how faithfully it quoted them.

    Parameters
    ----------
    readout
        The readout's sentences (list or sentence table): its claims.
    article_sentences
        The article's sentences (list or table with ``text`` and ``sent_id``).
    quotes
        The article's quotations (:func:`framing.quotes`: ``quote_id, sent_id,
        text, source``). ``None``: no quotation is checked.
    source
        The readout's source as attribution names it (``"Downing Street
        readout"``); only quotations credited to it are checked. ``None``:
        every quotation.
    model, threshold
        Encoder and similarity threshold for paraphrases, as in :func:`align`.
    near_ratio
        Passed to :func:`quote_fidelity`.

    Returns
    -------
    Carriage
        ``claims``: a claim is ``quoted`` when an exact or near quotation comes
        from it, else ``paraphrased`` when an article sentence aligns with it
        (one-to-many), else ``dropped``. ``quotes``: the fidelity of each quotation.

    Examples
    --------
    >>> c = carriage(["The Prime Minister emphasised the UK's commitment to Ukraine's sovereignty."],
    ...              ["He “emphasized the UK's commitment to Ukraine's sovereignty,” it said."],
    ...              pd.DataFrame({"quote_id": ["q0"], "sent_id": ["a1"],
    ...                            "text": ["emphasized the UK's commitment to Ukraine's sovereignty,"]}),
    ...              )  # doctest: +SKIP
    >>> c.claims["status"].tolist(), c.quotes["fidelity"].tolist()  # doctest: +SKIP
    (['quoted'], ['exact'])
    """
    ro = _claims(readout, "r")
    art = _claims(article_sentences, "s")
    table = align(ro, art, model=model, threshold=threshold, mode="one_to_many")
    a_rows = table[table["side"] == "a"].set_index("claim_id")
    qrows = []
    q = quotes if quotes is not None else pd.DataFrame(columns=["quote_id", "sent_id", "text"])
    if source is not None and "source" in q.columns:
        q = q[q["source"] == source]
    for _, row in q.iterrows():
        fid = quote_fidelity(row["text"], ro["text"].tolist(), near_ratio=near_ratio)
        si = fid.pop("source_index")
        qrows.append({"quote_id": row.get("quote_id"), "sent_id": row.get("sent_id"), "text": row["text"],
                      **fid, "claim_id": ro["claim_id"].iloc[si] if si is not None else None})
    qt = pd.DataFrame(qrows, columns=["quote_id", "sent_id", "text", "fidelity", "ratio", "claim_id",
                                      "source_wording", "edit", "spelling"])
    crow = []
    for _, claim in ro.iterrows():
        a = a_rows.loc[claim["claim_id"]]
        faithful = qt[(qt["claim_id"] == claim["claim_id"]) & qt["fidelity"].isin(["exact", "near"])]
        shared = a["status"] == "shared"
        ids = [s for s in (a["counterpart_id"] or "").split("; ") if s] if shared else []
        ids += [s for s in faithful["sent_id"].astype(str) if s not in ids]
        crow.append({
            "claim_id": claim["claim_id"],
            "text": claim["text"],
            "status": "quoted" if len(faithful) else "paraphrased" if shared else "dropped",
            "article_ids": "; ".join(ids),
            "similarity": a["similarity"],
            "quote_ids": "; ".join(faithful["quote_id"].astype(str)),
        })
    claims = pd.DataFrame(crow, columns=["claim_id", "text", "status", "article_ids", "similarity",
                                         "quote_ids"])
    claims.attrs.update(table.attrs)
    return Carriage(claims=claims, quotes=qt)
