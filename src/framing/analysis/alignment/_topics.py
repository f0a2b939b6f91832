"""Topic coverage: which topics of a codebook each account mentions at all (selection and omission)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from framing import _codebooks
from framing.analysis.alignment._calibration import _best_threshold, _gold_file, _grid
from framing.analysis.alignment._common import TOPICS_CODEBOOK, Sentences, _texts
from framing.analysis.alignment._matching import similarity


def load_topics(topics: str | Path | None = None) -> pd.DataFrame:
    """Topics of a codebook (default ``topics.yaml``): ``topic, name, description, examples``.

    Parameters
    ----------
    topics
        A codebook name or path; ``None`` for the shipped ``topics.yaml``.

    Returns
    -------
    pandas.DataFrame
        One row per topic; ``attrs["threshold"]`` is the codebook's threshold.

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

    Parameters
    ----------
    sentences
        The sentences.
    topics
        A topics codebook (name, path or the table of :func:`load_topics`).
    model
        A loaded sentence encoder (``framing.load_model()``).

    Returns
    -------
    pandas.DataFrame
        One row per sentence and one column per topic id.

    Examples
    --------
    >>> import framing
    >>> sim = topic_similarity(["NATO must not expand."], model=framing.load_model())  # doctest: +SKIP
    >>> sim.columns.tolist()[:2]  # doctest: +SKIP
    ['climate', 'minsk']
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
        A loaded sentence encoder: ``framing.load_model()`` or any object with
        ``encode(texts)``. A name or path raises ``TypeError``.
    threshold
        Similarity from which a sentence mentions a topic; default the value
        calibrated in the codebook (``threshold:``).

    Returns
    -------
    pandas.DataFrame
        Tidy: one row per account and topic, with ``account, topic, name,
        mentioned, n_sentences, share, best_similarity, example`` (the most
        similar sentence, if it mentions the topic). See :func:`coverage_table`
        for the side-by-side view and :func:`framing.plots.topic_coverage_chart`
        for a figure.

    Examples
    --------
    >>> import framing
    >>> cov = topic_coverage({"A": ["We discussed COP26 in Glasgow."],
    ...                       "B": ["NATO must not expand."]}, model=framing.load_model())  # doctest: +SKIP
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

    Parameters
    ----------
    coverage
        The output of :func:`topic_coverage`.

    Returns
    -------
    pandas.DataFrame
        Indexed by topic name (index name ``topic``), accounts in their first
        order; the input of :func:`framing.plots.topic_coverage_chart`.

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


def load_topic_examples(path: str | Path) -> pd.DataFrame:
    """Labelled sentences for the topic threshold: ``split, text, topics`` (``;``-separated, may be empty).

    Parameters
    ----------
    path
        A CSV file with ``text`` and ``topics`` columns (``#`` starts a comment line).

    Returns
    -------
    pandas.DataFrame
        The file as strings.

    Examples
    --------
    >>> import io
    >>> csv = "split,text,topics\\ncalibration,NATO must stop.,nato\\n"
    >>> load_topic_examples(io.StringIO(csv))["topics"][0]
    'nato'
    """
    df = pd.read_csv(path, comment="#", dtype=str, keep_default_na=False)
    if not {"text", "topics"} <= set(df.columns):
        raise ValueError(f"{path}: needs the columns 'text' and 'topics'")
    return df


def topic_scores(examples: pd.DataFrame, threshold: float, *, topics: Any = None,
                 model: Any = None, sim: pd.DataFrame | None = None) -> dict[str, float]:
    """Precision and recall of "mentions topic" over every (sentence, topic) decision.

    Parameters
    ----------
    examples
        Labelled sentences (:func:`load_topic_examples`).
    threshold
        Similarity from which a sentence mentions a topic.
    topics
        A topics codebook (name, path or the table of :func:`load_topics`).
    model
        A loaded sentence encoder; not needed when ``sim`` is given.
    sim
        The :func:`topic_similarity` of ``examples["text"]``, when already computed.

    Returns
    -------
    dict
        ``precision, recall, f1, tp, fp, fn``.

    Examples
    --------
    >>> tt = pd.DataFrame({"topic": ["nato"], "name": "NATO", "description": "NATO", "examples": [[]]})
    >>> ex = pd.DataFrame({"text": ["a", "b"], "topics": ["nato", ""]})
    >>> topic_scores(ex, 0.5, topics=tt, sim=pd.DataFrame({"nato": [0.8, 0.2]}))["f1"]
    1.0
    """
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

    Parameters
    ----------
    path
        Labelled sentences (:func:`load_topic_examples`, file or table); default
        ``data/gold/alignment/topics.csv`` (never the seed article).
    split
        The rows of this ``split`` are used.
    topics
        A topics codebook (name, path or the table of :func:`load_topics`).
    model
        A loaded sentence encoder (``framing.load_model()``).

    Returns
    -------
    float
        The best threshold of 0.20, 0.21, ..., 0.95 (ties: the median of the tied ones).

    Examples
    --------
    >>> import framing
    >>> calibrate_topic_threshold(model=framing.load_model())  # doctest: +SKIP
    0.46
    """
    src = _gold_file("topics.csv") if path is None else path
    ex = src if isinstance(src, pd.DataFrame) else load_topic_examples(src)
    if "split" in ex.columns:
        ex = ex[ex["split"] == split]
    tt = topics if isinstance(topics, pd.DataFrame) else load_topics(topics)
    sim = topic_similarity(ex["text"].tolist(), topics=tt, model=model)
    return _best_threshold({float(t): topic_scores(ex, float(t), topics=tt, sim=sim)["f1"] for t in _grid()})
