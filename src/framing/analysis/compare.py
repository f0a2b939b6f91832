"""Compare groups of sentences: prominence, stance, frames and distinctive words.

Every function takes the tidy tables of the earlier stages (``sentences``,
``stance``, ``frames``) and groups sentences by any column of ``sentences``:
``by="source"`` by default, but ``"speaker"``, ``"outlet"`` (after a join with
the documents) or a date column work the same way, for two groups or more.

Uncertainty comes from the percentile bootstrap. Sentences are resampled
within each group; when the table holds several documents, whole documents
are resampled instead (a cluster bootstrap), because sentences of one article
are not independent. A group with fewer than ``min_n`` sentences is kept and
flagged (``too_small``), never dropped: its interval is wide, and the table
says that nothing can be concluded from it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import CountVectorizer

from framing.analysis._bootstrap import CHUNK, boot_ratio, interval, unit_sums, weights
from framing.analysis._text import body_order, count_words

log = logging.getLogger(__name__)

Resample = Literal["auto", "sentences", "documents"]



# --------------------------------------------------------------------------- helpers


def _require(df: pd.DataFrame, columns: Sequence[str], table: str, hint: str = "") -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise KeyError(
            f"the {table} table has no column(s) {', '.join(map(repr, missing))}"
            f" (it has {', '.join(map(str, df.columns))}){'; ' + hint if hint else ''}"
        )


def _grouped(sentences: pd.DataFrame, by: str, *, include_title: bool) -> pd.DataFrame:
    _require(sentences, ["sent_id", "doc_id", by], "sentences", "pass by= one of its columns")
    s = sentences
    if not include_title and "is_title" in s.columns:
        s = s[~s["is_title"].astype(bool)]
    dropped = int(s[by].isna().sum())
    if dropped:
        log.warning("%d sentence(s) without a %r are left out of the comparison", dropped, by)
    s = s[s[by].notna()]
    return s.assign(sent_id=s["sent_id"].astype(str))[["sent_id", "doc_id", by]]


def _wide(sentences: pd.DataFrame, long: pd.DataFrame, *, by: str, item: str, value: str,
          include_title: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Join a long score table to the sentences; return (meta, values) indexed by sent_id."""
    meta = _grouped(sentences, by, include_title=include_title).drop_duplicates("sent_id")
    long = long.assign(sent_id=long["sent_id"].astype(str))
    values = long.pivot_table(index="sent_id", columns=item, values=value, aggfunc="mean", sort=True)
    meta = meta[meta["sent_id"].isin(values.index)].set_index("sent_id")
    unscored = len(_grouped(sentences, by, include_title=include_title)) - len(meta)
    if unscored:
        log.warning("%d sentence(s) have no %s scores and are left out", unscored, value)
    return meta, values.reindex(meta.index)


def _unit_of(meta: pd.DataFrame, resample: Resample) -> Literal["sentences", "documents"]:
    if resample == "auto":
        return "documents" if meta["doc_id"].nunique() > 1 else "sentences"
    if resample not in ("sentences", "documents"):
        raise ValueError(f"resample must be 'auto', 'sentences' or 'documents', got {resample!r}")
    return resample


def _note(n: int, min_n: int) -> str:
    notes = []
    if n < min_n:
        notes.append(f"too few sentences to conclude ({n} < {min_n})")
    if n < 2:
        notes.append("no interval from a single sentence")
    return "; ".join(notes)


def _group_means(meta: pd.DataFrame, values: pd.DataFrame, *, by: str, item: str, n_boot: int,
                 ci: float, random_state: int | None, min_n: int, resample: Resample) -> pd.DataFrame:
    unit = _unit_of(meta, resample)
    rows = []
    for group, m in meta.groupby(by, sort=True):
        x = values.loc[m.index].to_numpy(dtype=float)
        n_docs = int(m["doc_id"].nunique())
        used = "documents" if unit == "documents" and n_docs > 1 else "sentences"
        codes = (pd.factorize(m["doc_id"])[0] if used == "documents" else np.arange(len(m)))
        sums, counts = unit_sums(x, codes)
        with np.errstate(invalid="ignore", divide="ignore"):
            point = sums.sum(0) / counts.sum(0)
        rng = np.random.default_rng(random_state)
        lo, hi = interval(boot_ratio(sums, counts, n_boot, rng), ci)
        for j, it in enumerate(values.columns):
            n = int(counts[:, j].sum())
            single = n < 2
            rows.append({
                by: group, item: it, "n": n, "n_docs": n_docs, "mean": point[j],
                "ci_low": np.nan if single else lo[j], "ci_high": np.nan if single else hi[j],
                "too_small": n < min_n, "resampled": used, "note": _note(n, min_n),
            })
    return pd.DataFrame(rows)


def _difference(meta: pd.DataFrame, values: pd.DataFrame, a: str, b: str, *, by: str, item: str,
                n_boot: int, ci: float, random_state: int | None, min_n: int,
                resample: Resample) -> pd.DataFrame:
    present = set(meta[by])
    for g in (a, b):
        if g not in present:
            raise ValueError(f"no sentences with {by} == {g!r}; the groups are: {sorted(map(str, present))}")
    meta = meta[meta[by].isin([a, b])]
    unit = _unit_of(meta, resample)
    used = "documents" if unit == "documents" and meta["doc_id"].nunique() > 1 else "sentences"
    rng = np.random.default_rng(random_state)
    xa = values.loc[meta.index[meta[by] == a]].to_numpy(float)
    xb = values.loc[meta.index[meta[by] == b]].to_numpy(float)
    if used == "documents":
        # Resample documents jointly, so both groups' sentences from one article move together.
        docs = pd.factorize(meta["doc_id"])[0]
        x = values.loc[meta.index].to_numpy(float)
        sa, ca = unit_sums(np.where((meta[by] == a).to_numpy()[:, None], x, np.nan), docs)
        sb, cb = unit_sums(np.where((meta[by] == b).to_numpy()[:, None], x, np.nan), docs)
        boots = np.empty((n_boot, values.shape[1]))
        for lo in range(0, n_boot, CHUNK):
            w = weights(len(sa), min(CHUNK, n_boot - lo), rng)
            with np.errstate(invalid="ignore", divide="ignore"):
                boots[lo : lo + len(w)] = (w @ sa) / (w @ ca) - (w @ sb) / (w @ cb)
    else:
        sa, ca = unit_sums(xa, np.arange(len(xa)))
        sb, cb = unit_sums(xb, np.arange(len(xb)))
        boots = boot_ratio(sa, ca, n_boot, rng) - boot_ratio(sb, cb, n_boot, rng)
    lo, hi = interval(boots, ci)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_a, mean_b = sa.sum(0) / ca.sum(0), sb.sum(0) / cb.sum(0)
    rows = []
    for j, it in enumerate(values.columns):
        n_a, n_b = int(ca[:, j].sum()), int(cb[:, j].sum())
        small = [f"{g} has {k} < {min_n}" for g, k in ((a, n_a), (b, n_b)) if k < min_n]
        single = min(n_a, n_b) < 2
        rows.append({
            item: it, "a": a, "b": b, "n_a": n_a, "n_b": n_b, "mean_a": mean_a[j], "mean_b": mean_b[j],
            "difference": mean_a[j] - mean_b[j],
            "ci_low": np.nan if single else lo[j], "ci_high": np.nan if single else hi[j],
            "too_small": bool(small), "resampled": used,
            "note": ("too few sentences to conclude: " + ", ".join(small)) if small else "",
        })
    out = pd.DataFrame(rows)
    out["excludes_zero"] = (out["ci_low"] > 0) | (out["ci_high"] < 0)
    return out


# --------------------------------------------------------------------------- prominence


def _positions(body: pd.DataFrame) -> pd.Series:
    """'lead', 'body' or 'end' for each body sentence of one document (already in order)."""
    k = len(body)
    if "para" in body.columns and body["para"].notna().all() and body["para"].nunique() > 1:
        unit = pd.factorize(body["para"])[0]
    else:
        unit = np.arange(k)
    last = unit.max() if k else 0
    pos = np.where(unit == 0, "lead", np.where(unit == last, "end", "body"))
    return pd.Series(pos, index=body.index)


def prominence(sentences: pd.DataFrame, *, by: str = "source") -> pd.DataFrame:
    """How much room each group gets in each document, and where it appears.

    Framing is also selection and salience: which voice opens the article, which
    closes it and how many of its words each gets. Shares are over the body (the
    headline is left out of them; ``in_headline`` says whose the headline is).

    Parameters
    ----------
    sentences
        The sentences table with ``doc_id``, ``sent_id``, ``text``, ``is_title``
        and the grouping column; ``para`` (paragraph) and ``start`` or ``n``
        give the order.
    by
        Column to group by.

    Returns
    -------
    pandas.DataFrame
        One row per document and group: ``n_sentences``, ``sentence_share``,
        ``n_words``, ``word_share``, ``first`` and ``last`` (1-based position
        among the body sentences), ``first_position`` (``"lead"``: the first body
        paragraph, ``"end"``: the last one, ``"body"``: in between, or
        ``"headline only"``), ``opens``, ``closes`` and ``in_headline``.

    Examples
    --------
    >>> s = pd.DataFrame({"doc_id": "d", "sent_id": ["0", "1", "2", "3"], "para": [0, 1, 2, 3],
    ...                   "text": ["Title", "A b c.", "D e.", "F."], "is_title": [True, False, False, False],
    ...                   "source": ["narrator", "Kremlin readout", "narrator", "Downing Street readout"]})
    >>> prominence(s)[["source", "n_words", "first_position", "opens", "closes"]]
                       source  n_words first_position  opens  closes
    0  Downing Street readout        1            end  False    True
    1         Kremlin readout        3           lead   True   False
    2                narrator        2           body  False   False
    """
    _require(sentences, ["doc_id", "sent_id", "text", by], "sentences", "pass by= one of its columns")
    s = body_order(sentences)
    title = s["is_title"].astype(bool) if "is_title" in s.columns else pd.Series(False, index=s.index)
    s = s.assign(_words=count_words(s["text"]), _title=title)
    rows = []
    for doc_id, d in s.groupby("doc_id", sort=False):
        body = d[~d["_title"] & d[by].notna()]
        heads = set(d.loc[d["_title"], by].dropna())
        pos = _positions(body)
        order = pd.Series(np.arange(1, len(body) + 1), index=body.index)
        total_s, total_w = len(body), int(body["_words"].sum())
        for group in sorted(set(body[by]) | heads, key=str):
            g = body[body[by] == group]
            row = {"doc_id": doc_id, by: group, "n_sentences": len(g),
                   "sentence_share": len(g) / total_s if total_s else np.nan,
                   "n_words": int(g["_words"].sum()),
                   "word_share": g["_words"].sum() / total_w if total_w else np.nan,
                   "first": order[g.index].min() if len(g) else pd.NA,
                   "last": order[g.index].max() if len(g) else pd.NA,
                   "first_position": pos[g.index[0]] if len(g) else "headline only",
                   "opens": bool(len(body)) and body[by].iloc[0] == group,
                   "closes": bool(len(body)) and body[by].iloc[-1] == group,
                   "in_headline": group in heads}
            rows.append(row)
    out = pd.DataFrame(rows)
    for col in ("first", "last"):
        out[col] = out[col].astype("Int64")
    return out


def reading_order(sentences: pd.DataFrame) -> pd.DataFrame:
    """The sentences in reading order within each document, with the number of words of each.

    The input of :func:`framing.plots.prominence_chart`. Words are counted as
    for :func:`prominence` ("Ukraine's" and "large-scale" are one word each).

    Parameters
    ----------
    sentences
        The sentences table with ``doc_id`` and ``text``; ``start`` or ``n``
        give the order within a document.

    Returns
    -------
    pandas.DataFrame
        The rows of ``sentences``, sorted by document, then ``start``, then
        ``n`` (when present), with a column ``n_words``.

    Examples
    --------
    >>> s = pd.DataFrame({"doc_id": "d", "n": [1, 0], "text": ["Kiev's large-scale plan.", "Title"]})
    >>> reading_order(s)[["n", "n_words"]].values.tolist()
    [[0, 1], [1, 3]]
    """
    _require(sentences, ["doc_id", "text"], "sentences")
    s = body_order(sentences)
    return s.assign(n_words=count_words(s["text"]))


# --------------------------------------------------------------------------- stance


def stance_by_group(sentences: pd.DataFrame, stance: pd.DataFrame, *, by: str = "source",
                    n_boot: int = 2000, ci: float = 0.95, random_state: int | None = 0, min_n: int = 5,
                    resample: Resample = "auto", include_title: bool = True) -> pd.DataFrame:
    """Mean stance score per group and target, with a bootstrap interval.

    Parameters
    ----------
    sentences
        The sentences table (``sent_id``, ``doc_id`` and the ``by`` column).
    stance
        The long stance table (``sent_id``, ``target``, ``score``), as from
        :func:`framing.score_stance`.
    by
        Column of ``sentences`` to group by.
    n_boot, ci, random_state
        Number of bootstrap replicates, interval level and seed.
    min_n
        Groups with fewer sentences are flagged ``too_small`` (and kept).
    resample
        ``"auto"`` resamples whole documents when there are several, else
        sentences; a group found in one document only is resampled by sentence.
    include_title
        Whether headlines count (with the group they are attributed to).

    Returns
    -------
    pandas.DataFrame
        One row per group and target: ``n``, ``n_docs``, ``mean``, ``ci_low``,
        ``ci_high`` (missing when a group has one sentence), ``too_small``,
        ``resampled`` and ``note``.

    Examples
    --------
    >>> s = pd.DataFrame({"sent_id": ["a", "b", "c"], "doc_id": "d", "source": ["K", "K", "D"]})
    >>> st = pd.DataFrame({"sent_id": ["a", "b", "c"], "target": "nato", "score": [0.2, 0.4, -0.5]})
    >>> stance_by_group(s, st)[["source", "target", "n", "mean", "too_small"]]
      source target  n  mean  too_small
    0      D   nato  1  -0.5       True
    1      K   nato  2   0.3       True
    """
    _require(stance, ["sent_id", "target", "score"], "stance", "score it with framing.score_stance")
    meta, values = _wide(sentences, stance, by=by, item="target", value="score", include_title=include_title)
    return _group_means(meta, values, by=by, item="target", n_boot=n_boot, ci=ci,
                        random_state=random_state, min_n=min_n, resample=resample)


def stance_difference(sentences: pd.DataFrame, stance: pd.DataFrame, a: str, b: str, *, by: str = "source",
                      n_boot: int = 2000, ci: float = 0.95, random_state: int | None = 0, min_n: int = 5,
                      resample: Resample = "auto", include_title: bool = True) -> pd.DataFrame:
    """Difference in mean stance score between groups ``a`` and ``b`` (``a − b``) per target.

    Options are as for :func:`stance_by_group`. Sentences are resampled within
    each group; with several documents, documents are resampled jointly, so
    both groups' sentences from one article move together.

    Parameters
    ----------
    sentences, stance
        As for :func:`stance_by_group`.
    a, b
        The two groups (values of ``by``); the difference is ``a − b``.
    by, n_boot, ci, random_state, min_n, resample, include_title
        As for :func:`stance_by_group`.

    Returns
    -------
    pandas.DataFrame
        One row per target: ``n_a``, ``n_b``, ``mean_a``, ``mean_b``,
        ``difference``, ``ci_low``, ``ci_high``, ``excludes_zero``,
        ``too_small`` (either group below ``min_n``), ``resampled`` and ``note``.

    Examples
    --------
    >>> s = pd.DataFrame({"sent_id": list("abcd"), "doc_id": "d", "source": ["K", "K", "D", "D"]})
    >>> st = pd.DataFrame({"sent_id": list("abcd"), "target": "nato", "score": [0.2, 0.4, -0.5, -0.3]})
    >>> stance_difference(s, st, "K", "D")[["target", "difference", "too_small"]].round(2)
      target  difference  too_small
    0   nato         0.7       True
    """
    _require(stance, ["sent_id", "target", "score"], "stance", "score it with framing.score_stance")
    meta, values = _wide(sentences, stance, by=by, item="target", value="score", include_title=include_title)
    return _difference(meta, values, a, b, by=by, item="target", n_boot=n_boot, ci=ci,
                       random_state=random_state, min_n=min_n, resample=resample)


# --------------------------------------------------------------------------- frames


def frame_profile(sentences: pd.DataFrame, frames: pd.DataFrame, *, by: str = "source", n_boot: int = 2000,
                  ci: float = 0.95, random_state: int | None = 0, min_n: int = 5,
                  resample: Resample = "auto", include_title: bool = True) -> pd.DataFrame:
    """Share of each frame per group (mean probability), with a bootstrap interval.

    Options are as for :func:`stance_by_group`; ``frames`` is the long table
    ``sent_id, frame, prob`` from :func:`framing.score_frames`. The share is the
    expected fraction of the group's sentences that carry the frame.

    Parameters
    ----------
    sentences
        The sentences table (``sent_id``, ``doc_id`` and the ``by`` column).
    frames
        The long frame table (``sent_id``, ``frame``, ``prob``).
    by, n_boot, ci, random_state, min_n, resample, include_title
        As for :func:`stance_by_group`.

    Returns
    -------
    pandas.DataFrame
        One row per group and frame: ``n``, ``n_docs``, ``share``, ``ci_low``,
        ``ci_high``, ``too_small``, ``resampled`` and ``note``.

    Examples
    --------
    >>> s = pd.DataFrame({"sent_id": ["a", "b"], "doc_id": "d", "source": ["K", "K"]})
    >>> f = pd.DataFrame({"sent_id": ["a", "b"], "frame": "security_and_defense", "prob": [0.9, 0.5]})
    >>> frame_profile(s, f)[["source", "frame", "share"]]
      source                 frame  share
    0      K  security_and_defense    0.7
    """
    _require(frames, ["sent_id", "frame", "prob"], "frames", "score it with framing.score_frames")
    meta, values = _wide(sentences, frames, by=by, item="frame", value="prob", include_title=include_title)
    out = _group_means(meta, values, by=by, item="frame", n_boot=n_boot, ci=ci,
                       random_state=random_state, min_n=min_n, resample=resample)
    return out.rename(columns={"mean": "share"})


def distinguishing_frames(sentences: pd.DataFrame, frames: pd.DataFrame, a: str, b: str, *,
                          by: str = "source", top: int | None = None, n_boot: int = 2000, ci: float = 0.95,
                          random_state: int | None = 0, min_n: int = 5, resample: Resample = "auto",
                          include_title: bool = True) -> pd.DataFrame:
    """The frames that separate groups ``a`` and ``b`` most: share difference ``a − b`` with interval.

    Rows are sorted by the size of the difference (largest first); ``top`` keeps
    that many. Other options are as for :func:`stance_difference`.

    Parameters
    ----------
    sentences, frames
        As for :func:`frame_profile`.
    a, b
        The two groups (values of ``by``); the difference is ``a − b``.
    top
        Keep this many frames (``None``: all).
    by, n_boot, ci, random_state, min_n, resample, include_title
        As for :func:`stance_by_group`.

    Returns
    -------
    pandas.DataFrame
        One row per frame: ``share_a``, ``share_b``, ``difference``, ``ci_low``,
        ``ci_high``, ``excludes_zero``, ``too_small`` and ``note``.

    Examples
    --------
    >>> s = pd.DataFrame({"sent_id": list("abcd"), "doc_id": "d", "source": ["K", "K", "D", "D"]})
    >>> f = pd.DataFrame({"sent_id": list("abcdabcd"), "frame": ["war"] * 4 + ["law"] * 4,
    ...                   "prob": [0.9, 0.7, 0.1, 0.1, 0.5, 0.5, 0.4, 0.4]})
    >>> distinguishing_frames(s, f, "K", "D")[["frame", "difference"]].round(2)
      frame  difference
    0   war         0.7
    1   law         0.1
    """
    _require(frames, ["sent_id", "frame", "prob"], "frames", "score it with framing.score_frames")
    meta, values = _wide(sentences, frames, by=by, item="frame", value="prob", include_title=include_title)
    out = _difference(meta, values, a, b, by=by, item="frame", n_boot=n_boot, ci=ci,
                      random_state=random_state, min_n=min_n, resample=resample)
    out = out.rename(columns={"mean_a": "share_a", "mean_b": "share_b"})
    out = out.reindex(out["difference"].abs().sort_values(ascending=False, kind="stable").index)
    out = out.reset_index(drop=True)
    return out.head(top) if top is not None else out


# --------------------------------------------------------------------------- distinctive words


def distinctive_words(sentences: pd.DataFrame, a: str, b: str, *, by: str = "source",
                      prior: float = 100.0, background: pd.DataFrame | None = None,
                      vectorizer: CountVectorizer | None = None, include_title: bool = True) -> pd.DataFrame:
    """Words that distinguish group ``a`` from ``b``: log-odds ratio with an informative Dirichlet prior.

    This is Monroe, Colaresi and Quinn (2008, "Fightin' words", section 3.5).
    With counts ``y_a``, ``y_b`` of word *w*, totals ``n_a``, ``n_b``, and prior
    pseudo-counts ``α_w = α_0 · y_w / n`` from the background corpus counts
    (``α_0 = prior``)::

        δ_w = log[(y_a + α_w) / (n_a + α_0 − y_a − α_w)] − log[(y_b + α_w) / (n_b + α_0 − y_b − α_w)]
        σ²_w ≈ 1 / (y_a + α_w) + 1 / (y_b + α_w),     z_w = δ_w / σ_w

    Positive ``z`` marks a word of ``a``; negative, of ``b``. ``|z| > 1.96`` is the
    usual threshold, though words are not independent draws.

    Parameters
    ----------
    sentences
        The sentences table with ``text`` and the ``by`` column.
    a, b
        The two groups (values of ``by``).
    prior
        ``α_0``, the total weight of the prior in pseudo-words. Larger values
        shrink rare words' differences more.
    background
        Sentences whose word counts form the prior; by default all of
        ``sentences`` (every group, not only ``a`` and ``b``).
    vectorizer
        A scikit-learn :class:`~sklearn.feature_extraction.text.CountVectorizer`
        (e.g. with ``stop_words="english"`` or ``ngram_range=(1, 2)``); by default
        lower-cased words of two or more characters. It is fitted on the background.
    include_title
        Whether headlines count.

    Returns
    -------
    pandas.DataFrame
        One row per word seen in ``a`` or ``b``, sorted by ``z`` (most typical of
        ``a`` first): ``word``, ``count_a``, ``count_b``, ``prior``, ``delta``,
        ``se``, ``z`` and ``favours`` (``a`` or ``b``).

    Examples
    --------
    >>> s = pd.DataFrame({"sent_id": ["0", "1"], "doc_id": "d", "source": ["K", "D"],
    ...                   "text": ["war war peace", "peace peace"]})
    >>> distinctive_words(s, "K", "D", prior=5)[["word", "delta", "z"]].round(4)
        word   delta       z
    0    war  0.9163  1.0580
    1  peace -0.9163 -1.3659
    """
    _require(sentences, ["text", by], "sentences", "pass by= one of its columns")
    s = sentences
    if not include_title and "is_title" in s.columns:
        s = s[~s["is_title"].astype(bool)]
    for g in (a, b):
        if not (s[by] == g).any():
            raise ValueError(f"no sentences with {by} == {g!r}; the groups are: "
                             f"{sorted(map(str, s[by].dropna().unique()))}")
    if prior <= 0:
        raise ValueError(f"prior (alpha_0) must be positive, got {prior}")
    bg = s if background is None else background
    vec = CountVectorizer() if vectorizer is None else vectorizer
    from sklearn.base import clone

    vec = clone(vec)
    y_bg = np.asarray(vec.fit_transform(bg["text"].astype(str)).sum(axis=0)).ravel().astype(float)
    y_a = np.asarray(vec.transform(s.loc[s[by] == a, "text"].astype(str)).sum(axis=0)).ravel().astype(float)
    y_b = np.asarray(vec.transform(s.loc[s[by] == b, "text"].astype(str)).sum(axis=0)).ravel().astype(float)
    alpha = prior * y_bg / y_bg.sum()
    n_a, n_b = y_a.sum(), y_b.sum()
    keep = ((y_a + y_b) > 0) & (alpha > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = (np.log((y_a + alpha) / (n_a + prior - y_a - alpha))
                 - np.log((y_b + alpha) / (n_b + prior - y_b - alpha)))
        se = np.sqrt(1.0 / (y_a + alpha) + 1.0 / (y_b + alpha))
    out = pd.DataFrame({"word": vec.get_feature_names_out(), "count_a": y_a.astype(int),
                        "count_b": y_b.astype(int), "prior": alpha, "delta": delta, "se": se,
                        "z": delta / se})[keep]
    out["favours"] = np.where(out["z"] >= 0, a, b)
    out = out.sort_values(["z", "word"], ascending=[False, True], kind="stable").reset_index(drop=True)
    out.attrs.update({"a": a, "b": b, "by": by, "prior": prior})
    return out


# --------------------------------------------------------------------------- evidence


def evidence(
    scores: pd.DataFrame,
    sentences: pd.DataFrame,
    *,
    by: str = "source",
    n: int = 3,
) -> pd.DataFrame:
    """The sentences that drive each group's mean stance score or frame share.

    Each sentence contributes ``value / group size`` to its group's mean,
    where ``value`` is the stance ``score`` (for a stance table) or the frame
    ``prob`` (for a frame table). The ``n`` sentences with the largest
    absolute contribution per group and target (or frame) are listed, with
    their text and the share of the group's total absolute contribution they
    carry.

    Parameters
    ----------
    scores
        Output of :func:`framing.score_stance` or :func:`framing.score_frames`.
    sentences
        The sentences table, with ``sent_id``, ``text`` and the ``by`` column.
    by
        Column of ``sentences`` that defines the groups (a source, an outlet...).
    n
        Sentences per group and target or frame.

    Returns
    -------
    pandas.DataFrame
        ``by, target|frame, mean, rank, sent_id, text, value, contribution, share``.

    Examples
    --------
    >>> st = pd.DataFrame({"sent_id": [0, 1], "target": "t", "score": [0.8, -0.2]})
    >>> s = pd.DataFrame({"sent_id": [0, 1], "text": ["a", "b"], "source": "X"})
    >>> evidence(st, s, n=1)[["source", "sent_id", "contribution"]].values.tolist()
    [['X', 0, 0.4]]
    """
    if "target" in scores.columns and "score" in scores.columns:
        key, value = "target", "score"
    elif "frame" in scores.columns and "prob" in scores.columns:
        key, value = "frame", "prob"
    else:
        raise ValueError("scores must be a stance table (target, score) or a frame table (frame, prob)")
    if by not in sentences.columns:
        raise ValueError(f"the sentences table has no column {by!r} to group by")
    df = scores[["sent_id", key, value]].merge(sentences[["sent_id", "text", by]], on="sent_id", how="inner")
    df = df.rename(columns={value: "value"})
    grp = df.groupby([by, key], sort=True, dropna=False)
    df["mean"] = grp["value"].transform("mean")
    df["contribution"] = df["value"] / grp["value"].transform("size")
    total = df["contribution"].abs().groupby([df[by], df[key]], dropna=False).transform("sum")
    df["share"] = (df["contribution"].abs() / total.where(total > 0)).fillna(0.0)
    df["_abs"] = df["contribution"].abs()
    df = df.sort_values([by, key, "_abs", "sent_id"], ascending=[True, True, False, True], kind="stable")
    df["rank"] = df.groupby([by, key], dropna=False).cumcount() + 1
    cols = [by, key, "mean", "rank", "sent_id", "text", "value", "contribution", "share"]
    return df[df["rank"] <= n][cols].reset_index(drop=True)
