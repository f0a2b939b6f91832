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
says that nothing can be concluded from it. When documents are resampled, a
group with fewer than ``min_docs`` documents is kept and flagged
(``few_documents``) and gets no interval: a few resampled articles do not show
how far the mean could move.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import CountVectorizer

from framing.analysis._groups import MIN_DOCS, Resample, difference, group_means, require, wide
from framing.analysis._text import body_order, count_words

log = logging.getLogger(__name__)

OTHERS = "all others"  # the second group of distinctive_words(..., b=None)


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
    require(sentences, ["doc_id", "sent_id", "text", by], "sentences", "pass by= one of its columns")
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
    require(sentences, ["doc_id", "text"], "sentences")
    s = body_order(sentences)
    return s.assign(n_words=count_words(s["text"]))


# --------------------------------------------------------------------------- stance


def stance_by_group(sentences: pd.DataFrame, stance: pd.DataFrame, *, by: str = "source",
                    n_boot: int = 2000, ci: float = 0.95, random_state: int | None = 0, min_n: int = 5,
                    resample: Resample = "auto", include_title: bool = True,
                    min_docs: int = MIN_DOCS) -> pd.DataFrame:
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
    min_docs
        When documents are resampled, groups with fewer documents are flagged
        ``few_documents`` and get no interval.

    Returns
    -------
    pandas.DataFrame
        One row per group and target: ``n``, ``n_docs``, ``mean``, ``ci_low``,
        ``ci_high`` (missing when a group has one sentence or is flagged
        ``few_documents``), ``too_small``, ``few_documents``, ``resampled`` and
        ``note``.

    Examples
    --------
    >>> s = pd.DataFrame({"sent_id": ["a", "b", "c"], "doc_id": "d", "source": ["K", "K", "D"]})
    >>> st = pd.DataFrame({"sent_id": ["a", "b", "c"], "target": "nato", "score": [0.2, 0.4, -0.5]})
    >>> stance_by_group(s, st)[["source", "target", "n", "mean", "too_small"]]
      source target  n  mean  too_small
    0      D   nato  1  -0.5       True
    1      K   nato  2   0.3       True
    """
    require(stance, ["sent_id", "target", "score"], "stance", "score it with framing.score_stance")
    meta, values = wide(sentences, stance, by=by, item="target", value="score", include_title=include_title)
    return group_means(meta, values, by=by, item="target", n_boot=n_boot, ci=ci,
                        random_state=random_state, min_n=min_n, resample=resample, min_docs=min_docs)


def stance_difference(sentences: pd.DataFrame, stance: pd.DataFrame, a: str, b: str, *, by: str = "source",
                      n_boot: int = 2000, ci: float = 0.95, random_state: int | None = 0, min_n: int = 5,
                      resample: Resample = "auto", include_title: bool = True,
                      min_docs: int = MIN_DOCS) -> pd.DataFrame:
    """Difference in mean stance score between groups ``a`` and ``b`` (``a − b``) per target.

    Options are as for :func:`stance_by_group`. Sentences are resampled within
    each group; with several documents, documents are resampled: jointly when
    the groups share documents (two sources of the same articles), so both
    groups' sentences from one article move together, and separately when they
    do not (two outlets).

    Parameters
    ----------
    sentences, stance
        As for :func:`stance_by_group`.
    a, b
        The two groups (values of ``by``); the difference is ``a − b``.
    by, n_boot, ci, random_state, min_n, resample, include_title, min_docs
        As for :func:`stance_by_group`.

    Returns
    -------
    pandas.DataFrame
        One row per target: ``n_a``, ``n_b``, ``n_docs_a``, ``n_docs_b``,
        ``mean_a``, ``mean_b``, ``difference``, ``ci_low``, ``ci_high``,
        ``excludes_zero``, ``too_small`` (either group below ``min_n``),
        ``few_documents`` (either group below ``min_docs`` documents when
        documents are resampled: no interval), ``resampled`` and ``note``.

    Examples
    --------
    >>> s = pd.DataFrame({"sent_id": list("abcd"), "doc_id": "d", "source": ["K", "K", "D", "D"]})
    >>> st = pd.DataFrame({"sent_id": list("abcd"), "target": "nato", "score": [0.2, 0.4, -0.5, -0.3]})
    >>> stance_difference(s, st, "K", "D")[["target", "difference", "too_small"]].round(2)
      target  difference  too_small
    0   nato         0.7       True
    """
    require(stance, ["sent_id", "target", "score"], "stance", "score it with framing.score_stance")
    meta, values = wide(sentences, stance, by=by, item="target", value="score", include_title=include_title)
    return difference(meta, values, a, b, by=by, item="target", n_boot=n_boot, ci=ci,
                       random_state=random_state, min_n=min_n, resample=resample, min_docs=min_docs)


# --------------------------------------------------------------------------- frames


def frame_profile(sentences: pd.DataFrame, frames: pd.DataFrame, *, by: str = "source", n_boot: int = 2000,
                  ci: float = 0.95, random_state: int | None = 0, min_n: int = 5,
                  resample: Resample = "auto", include_title: bool = True,
                  min_docs: int = MIN_DOCS) -> pd.DataFrame:
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
    by, n_boot, ci, random_state, min_n, resample, include_title, min_docs
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
    require(frames, ["sent_id", "frame", "prob"], "frames", "score it with framing.score_frames")
    meta, values = wide(sentences, frames, by=by, item="frame", value="prob", include_title=include_title)
    out = group_means(meta, values, by=by, item="frame", n_boot=n_boot, ci=ci,
                       random_state=random_state, min_n=min_n, resample=resample, min_docs=min_docs)
    return out.rename(columns={"mean": "share"})


def distinguishing_frames(sentences: pd.DataFrame, frames: pd.DataFrame, a: str, b: str, *,
                          by: str = "source", top: int | None = None, n_boot: int = 2000, ci: float = 0.95,
                          random_state: int | None = 0, min_n: int = 5, resample: Resample = "auto",
                          include_title: bool = True, min_docs: int = MIN_DOCS) -> pd.DataFrame:
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
    by, n_boot, ci, random_state, min_n, resample, include_title, min_docs
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
    require(frames, ["sent_id", "frame", "prob"], "frames", "score it with framing.score_frames")
    meta, values = wide(sentences, frames, by=by, item="frame", value="prob", include_title=include_title)
    out = difference(meta, values, a, b, by=by, item="frame", n_boot=n_boot, ci=ci,
                      random_state=random_state, min_n=min_n, resample=resample, min_docs=min_docs)
    out = out.rename(columns={"mean_a": "share_a", "mean_b": "share_b"})
    out = out.reindex(out["difference"].abs().sort_values(ascending=False, kind="stable").index)
    out = out.reset_index(drop=True)
    return out.head(top) if top is not None else out


# --------------------------------------------------------------------------- distinctive words


def distinctive_words(sentences: pd.DataFrame, a: str, b: str | None, *, by: str = "source",
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
        The two groups (values of ``by``); ``b=None`` compares ``a`` with every
        other group together (one outlet against all the others), and ``b`` is
        then called ``"all others"`` in the table.
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
    >>> distinctive_words(s, "K", None, prior=5)["favours"].tolist()
    ['K', 'all others']
    """
    require(sentences, ["text", by], "sentences", "pass by= one of its columns")
    s = sentences
    if not include_title and "is_title" in s.columns:
        s = s[~s["is_title"].astype(bool)]
    for g in (a, b):
        if g is not None and not (s[by] == g).any():
            raise ValueError(f"no sentences with {by} == {g!r}; the groups are: "
                             f"{sorted(map(str, s[by].dropna().unique()))}")
    in_b = (s[by] != a) & s[by].notna() if b is None else s[by] == b
    b = OTHERS if b is None else b
    if prior <= 0:
        raise ValueError(f"prior (alpha_0) must be positive, got {prior}")
    bg = s if background is None else background
    vec = CountVectorizer() if vectorizer is None else vectorizer
    from sklearn.base import clone

    vec = clone(vec)
    y_bg = np.asarray(vec.fit_transform(bg["text"].astype(str)).sum(axis=0)).ravel().astype(float)
    y_a = np.asarray(vec.transform(s.loc[s[by] == a, "text"].astype(str)).sum(axis=0)).ravel().astype(float)
    y_b = np.asarray(vec.transform(s.loc[in_b, "text"].astype(str)).sum(axis=0)).ravel().astype(float)
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
