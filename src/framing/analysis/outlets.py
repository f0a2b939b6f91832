"""The outlet view: how each outlet carried each source, and copies of one wire story.

Sentences carry ``doc_id``; :func:`with_documents` adds the document's
``outlet``, ``event`` and ``kind``. The outlet functions compare **article**
documents: the official accounts themselves (``kind`` readout, statement or
transcript, :data:`ACCOUNT_KINDS`) are what the articles report, not outlets,
and are left out. Headlines are left out of shares and order.

- :func:`outlet_sources`: per outlet and source, documents, sentences, words,
  share of the outlet's body words, and order;
- :func:`outlet_stance`: the same source's mean stance per outlet, with a
  document-level (cluster) bootstrap interval;
- :func:`outlet_difference`: two outlets compared, source by source;
- :func:`syndicated`: near-duplicate documents (one wire story run by several
  outlets); ``dedupe=True`` on the other functions counts each story once.

A document-level interval needs documents: an outlet with fewer than
``min_docs`` (5) documents is flagged ``few_documents`` and gets no interval.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import CountVectorizer

from framing.analysis._groups import MIN_DOCS, difference, group_means, require, wide
from framing.analysis._text import WORD_PATTERN, body_order, count_words

ACCOUNT_KINDS = ("readout", "statement", "transcript")  # the official accounts, not outlets' articles
DOC_COLUMNS = ("outlet", "event", "kind")
SHINGLE = 5  # words per shingle
THRESHOLD = 0.5  # Jaccard similarity of shingles from which two documents are copies of one story
NARRATOR = "narrator"


# --------------------------------------------------------------------------- joins


def with_documents(sentences: pd.DataFrame, docs: pd.DataFrame, *, columns: Sequence[str] = DOC_COLUMNS,
                   dedupe: bool = False, threshold: float = THRESHOLD) -> pd.DataFrame:
    """The sentences with their document's ``outlet``, ``event`` and ``kind`` (joined on ``doc_id``).

    Parameters
    ----------
    sentences
        The sentences table (``doc_id``).
    docs
        The documents table (``doc_id`` and the columns to add; those it lacks
        are skipped).
    columns
        Document columns to add; they replace columns of the same name.
    dedupe
        Drop the sentences of syndicated copies, keeping each story's earliest
        copy (see :func:`syndicated`).
    threshold
        Similarity from which two documents are copies (for ``dedupe``).

    Returns
    -------
    pandas.DataFrame
        ``sentences`` in the same order, with the added columns.

    Examples
    --------
    >>> s = pd.DataFrame({"doc_id": ["a", "b"], "sent_id": ["a:0", "b:0"], "source": "narrator"})
    >>> d = pd.DataFrame({"doc_id": ["a", "b"], "outlet": ["RT", "BBC"], "kind": "article"})
    >>> with_documents(s, d)[["sent_id", "outlet", "kind"]].values.tolist()
    [['a:0', 'RT', 'article'], ['b:0', 'BBC', 'article']]
    """
    require(sentences, ["doc_id"], "sentences")
    require(docs, ["doc_id"], "docs")
    cols = [c for c in columns if c in docs.columns]
    meta = docs[["doc_id", *cols]].drop_duplicates("doc_id")
    out = sentences.drop(columns=[c for c in cols if c in sentences.columns])
    out = out.merge(meta, on="doc_id", how="left", validate="many_to_one")
    out.index = sentences.index
    if dedupe:
        copies = syndicated(docs, threshold=threshold)
        out = out[~out["doc_id"].isin(copies.loc[copies["duplicate_of"].notna(), "doc_id"])]
    return out


def _articles(sentences: pd.DataFrame, docs: pd.DataFrame, *, dedupe: bool, threshold: float) -> pd.DataFrame:
    """Sentences of article documents, with ``outlet`` (and ``kind``, ``event``) from the documents."""
    require(docs, ["doc_id", "outlet"], "docs", "the outlet view needs each document's outlet")
    s = with_documents(sentences, docs, dedupe=dedupe, threshold=threshold)
    if "kind" in s.columns:
        s = s[~s["kind"].astype(str).str.lower().isin(ACCOUNT_KINDS)]
    return s[s["outlet"].notna()]


# --------------------------------------------------------------------------- official accounts


def official_accounts(sentences: pd.DataFrame, docs: pd.DataFrame | None = None, *, by: str = "source",
                      event: str | None = None) -> list[str]:
    """The official accounts the articles carry, most prominent first, within one event.

    An official account is a readout source: a ``source`` named
    ``"<Issuer> readout"`` (the form attribution gives official bodies), or
    the source of an account document of ``docs`` (:func:`framing.analysis.events.accounts`).
    They are ranked by the number of article documents carrying them, then by
    their number of sentences, then by name. Accounts of two different events
    are never compared: when the documents name events, only the accounts of
    ``event`` are returned, by default the event whose articles carry
    official accounts most (documents, then sentences).

    Parameters
    ----------
    sentences
        The attributed sentences (``doc_id`` and ``by``).
    docs
        The documents; when given, the account documents themselves are left
        out of the count, their issuers' sources are accounts too, and the
        ``event`` column groups the documents.
    by
        The column naming the source.
    event
        The event whose accounts are wanted (default: the most covered one).

    Returns
    -------
    list of str
        The accounts found in the articles' sentences (possibly empty).

    Examples
    --------
    >>> s = pd.DataFrame({"doc_id": ["a", "a", "b", "b"], "sent_id": list("1234"),
    ...                   "source": ["K readout", "D readout", "K readout", "narrator"]})
    >>> official_accounts(s)
    ['K readout', 'D readout']
    """
    from framing.analysis.events import accounts, document_events

    require(sentences, ["doc_id", by], "sentences")
    s, names = sentences, set()
    if docs is not None:
        s = _articles(sentences, docs, dedupe=False, threshold=THRESHOLD) if "outlet" in docs.columns else s
        names |= set(accounts(docs)["source"].astype(str))
        s = s.assign(_event=s["doc_id"].map(document_events(docs)))
    values = s[by].astype(str).where(s[by].notna())
    names |= {v for v in values.dropna().unique() if v.endswith(" readout")}
    found = s[values.isin(names)]
    if found.empty:
        return []
    keys = ["_event", by] if "_event" in found.columns else [by]
    ranked = (found.groupby(keys).agg(docs=("doc_id", "nunique"), sents=("doc_id", "size")).reset_index())
    if "_event" in ranked.columns:
        if event is None:
            per_event = ranked.groupby("_event")[["docs", "sents"]].sum()
            event = per_event.sort_values(["docs", "sents"], ascending=False, kind="stable").index[0]
        ranked = ranked[ranked["_event"] == event]
    ranked = ranked.sort_values(["docs", "sents", by], ascending=[False, False, True], kind="stable")
    return ranked[by].astype(str).tolist()


# --------------------------------------------------------------------------- syndicated copies


def _shingles(text: str, k: int) -> set[tuple[str, ...]]:
    words = CountVectorizer(token_pattern=WORD_PATTERN).build_analyzer()(text)
    if len(words) < k:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + k]) for i in range(len(words) - k + 1)}


def _body(row: pd.Series) -> str:
    text, title = str(row.get("text") or ""), str(row.get("title") or "")
    return text[len(title):] if title and text.startswith(title) else text


def syndicated(docs: pd.DataFrame, *, threshold: float = THRESHOLD, shingle: int = SHINGLE,
               articles_only: bool = True) -> pd.DataFrame:
    """Find copies of one story run by several outlets (wire copy, syndication).

    Each document's body (its text without the headline) is cut into
    overlapping runs of ``shingle`` lower-cased words; two documents are
    copies when the Jaccard similarity of their sets of runs (shared runs ÷
    runs in either) is at least ``threshold``. A copy edited as outlets do (a
    new headline, a paragraph dropped or added, a byline) keeps most of its
    runs and stays well above 0.5; two articles written separately about the
    same event share quotations but few five-word runs outside them, and stay
    well below it. Copies are grouped into stories (two copies of a third are
    one story even if they differ more from each other), and each story is
    counted once from its earliest copy (by ``date``, then ``doc_id``).

    Parameters
    ----------
    docs
        The documents table (``doc_id``, ``text``; ``title``, ``outlet``,
        ``date`` and ``kind`` when present).
    threshold
        Jaccard similarity from which two documents are copies.
    shingle
        Words per run.
    articles_only
        Leave out the official accounts (``kind`` in :data:`ACCOUNT_KINDS`):
        an article that reprints a readout carries it, it is not a copy.

    Returns
    -------
    pandas.DataFrame
        One row per document compared: ``doc_id``, ``story`` (the doc_id of
        the story's earliest copy), ``outlet``, ``duplicate_of`` (the earliest
        copy, missing for the copy kept), ``similarity`` (Jaccard with that
        copy; for the copy kept, with its closest copy; missing for a document
        with no copy) and ``copies`` (documents in the story).

    Examples
    --------
    >>> wire = "Putin told Johnson on Monday that talks on NATO must start at once, the Kremlin said."
    >>> d = pd.DataFrame({"doc_id": ["a", "b", "c"], "outlet": ["X", "Y", "Z"],
    ...                   "date": ["2021-12-13", "2021-12-14", "2021-12-13"],
    ...                   "text": [wire, "From the wire. " + wire, "Johnson warned Putin of a mistake."]})
    >>> syndicated(d)[["doc_id", "story", "duplicate_of", "copies"]].values.tolist()
    [['a', 'a', None, 2], ['b', 'a', 'a', 2], ['c', 'c', None, 1]]
    """
    require(docs, ["doc_id", "text"], "docs")
    d = docs.drop_duplicates("doc_id")
    if articles_only and "kind" in d.columns:
        d = d[~d["kind"].astype(str).str.lower().isin(ACCOUNT_KINDS)]
    d = d.reset_index(drop=True).assign(_given=lambda x: range(len(x)),
                                        _date=d["date"].astype(str).to_numpy() if "date" in d.columns else "")
    d = d.sort_values(["_date", "doc_id"], kind="stable").reset_index(drop=True)
    sets = [_shingles(_body(r), shingle) for _, r in d.iterrows()]
    n = len(d)
    sim = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            union = len(sets[i] | sets[j])
            sim[i, j] = sim[j, i] = len(sets[i] & sets[j]) / union if union else 0.0
    root = list(range(n))  # union-find: documents in reading order, the earliest is the root

    def find(i: int) -> int:
        while root[i] != i:
            root[i] = root[root[i]]
            i = root[i]
        return i

    for i, j in zip(*np.nonzero(np.triu(sim >= threshold, 1)), strict=True):
        a, b = sorted((find(int(i)), find(int(j))))
        root[b] = a
    first = [find(i) for i in range(n)]
    size = pd.Series(first).value_counts()
    rows = []
    for i in range(n):
        k = first[i]
        others = [j for j in range(n) if first[j] == k and j != i]
        similarity = sim[i, k] if k != i else (max(sim[i, j] for j in others) if others else np.nan)
        rows.append({"_given": d.at[i, "_given"], "doc_id": d.at[i, "doc_id"], "story": d.at[k, "doc_id"],
                     "outlet": d.at[i, "outlet"] if "outlet" in d.columns else None,
                     "duplicate_of": d.at[k, "doc_id"] if k != i else None,
                     "similarity": similarity, "copies": int(size[k])})
    cols = ["doc_id", "story", "outlet", "duplicate_of", "similarity", "copies"]
    out = pd.DataFrame(rows, columns=["_given", *cols]).sort_values("_given")[cols].reset_index(drop=True)
    out["duplicate_of"] = out["duplicate_of"].astype(object).where(out["duplicate_of"].notna(), None)
    out.attrs.update({"threshold": threshold, "shingle": shingle})
    return out


# --------------------------------------------------------------------------- share and order


def outlet_sources(sentences: pd.DataFrame, docs: pd.DataFrame, *, by: str = "source", dedupe: bool = False,
                   threshold: float = THRESHOLD) -> pd.DataFrame:
    """Per outlet, the room and the place each source gets in its articles.

    Only article documents count (not the official accounts, see
    :data:`ACCOUNT_KINDS`), and only their body: headlines are left out.
    Words are counted as for :func:`framing.prominence`.

    Parameters
    ----------
    sentences
        The attributed sentences (``doc_id``, ``sent_id``, ``text``, ``by``;
        ``is_title``, ``start`` or ``n`` when present).
    docs
        The documents (``doc_id``, ``outlet``; ``kind``, ``text`` and ``date``
        for the account filter and ``dedupe``).
    by
        The column naming the source.
    dedupe
        Count each syndicated story once, from its earliest copy (see
        :func:`syndicated`).
    threshold
        Similarity from which two documents are copies (for ``dedupe``).

    Returns
    -------
    pandas.DataFrame
        One row per outlet and source: ``outlet_documents`` (the outlet's
        articles), ``documents`` (those in which the source has a body
        sentence), ``sentences``, ``words``, ``word_share`` (of the outlet's
        body words), ``first_share`` (share of the outlet's articles in which
        the source is the first voice heard other than the outlet's own
        narration; for the narration, in which it opens the body) and
        ``first_position`` (mean relative position of the source's first body
        sentence in the articles that carry it: 0 for the first sentence,
        ``(k − 1) / m`` for the k-th of m).

    Examples
    --------
    >>> s = pd.DataFrame({"doc_id": ["a"] * 3 + ["b"] * 2, "sent_id": list("12345"), "n": [0, 1, 2, 0, 1],
    ...                   "text": ["One two.", "Three four five.", "Six.", "One.", "Two three."],
    ...                   "source": ["narrator", "K", "D", "D", "K"]})
    >>> d = pd.DataFrame({"doc_id": ["a", "b"], "outlet": "X", "kind": "article"})
    >>> outlet_sources(s, d)[["source", "documents", "words", "word_share", "first_share", "first_position"]]
         source  documents  words  word_share  first_share  first_position
    0         D          2      2    0.222222          0.5        0.333333
    1         K          2      5    0.555556          0.5        0.416667
    2  narrator          1      2    0.222222          0.5        0.000000
    """
    require(sentences, ["doc_id", "sent_id", "text", by], "sentences", "pass by= one of its columns")
    s = _articles(sentences, docs, dedupe=dedupe, threshold=threshold)
    if "is_title" in s.columns:
        s = s[~s["is_title"].astype(bool)]
    s = body_order(s)
    s = s.assign(_words=count_words(s["text"]), _pos=s.groupby("doc_id").cumcount(),
                 _len=s.groupby("doc_id")["doc_id"].transform("size"))
    voiced = s[s[by].notna() & (s[by].astype(str) != NARRATOR)]
    first_voice = voiced.groupby("doc_id")[by].first()
    opener = s.groupby("doc_id")[by].first()
    n_docs = s.groupby("outlet")["doc_id"].nunique()
    words = s.groupby("outlet")["_words"].sum()
    rows = []
    for (outlet, group), g in s[s[by].notna()].groupby(["outlet", by], sort=True):
        firsts = g.groupby("doc_id")[["_pos", "_len"]].first()
        leads = opener if str(group) == NARRATOR else first_voice
        led = int((leads.reindex(s.loc[s["outlet"] == outlet, "doc_id"].unique()) == group).sum())
        rows.append({"outlet": outlet, by: group, "outlet_documents": int(n_docs[outlet]),
                     "documents": len(firsts), "sentences": len(g), "words": int(g["_words"].sum()),
                     "word_share": g["_words"].sum() / words[outlet] if words[outlet] else np.nan,
                     "first_share": led / n_docs[outlet],
                     "first_position": float((firsts["_pos"] / firsts["_len"]).mean())})
    cols = ["outlet", by, "outlet_documents", "documents", "sentences", "words", "word_share",
            "first_share", "first_position"]
    return pd.DataFrame(rows, columns=cols)


# --------------------------------------------------------------------------- stance across outlets


def outlet_stance(sentences: pd.DataFrame, stance: pd.DataFrame, docs: pd.DataFrame, *,
                  by: str | None = "source", sources: Sequence[str] | None = None, n_boot: int = 2000,
                  ci: float = 0.95, random_state: int | None = 0, min_n: int = 5, min_docs: int = MIN_DOCS,
                  include_title: bool = True, dedupe: bool = False,
                  threshold: float = THRESHOLD) -> pd.DataFrame:
    """The same source's mean stance in each outlet, with a document-level bootstrap interval.

    For each source (value of ``by``) and outlet, the mean stance score per
    target over the outlet's sentences credited to that source. Documents are
    resampled within each outlet (a cluster bootstrap); an outlet with fewer
    than ``min_docs`` documents carrying the source is flagged
    ``few_documents`` and gets no interval, and one with fewer than ``min_n``
    sentences is flagged ``too_small``.

    Parameters
    ----------
    sentences, stance, docs
        The attributed sentences, the long stance table and the documents.
    by
        The column naming the source; ``None`` pools all of an outlet's
        sentences (an outlet × target table).
    sources
        Keep these sources (default all).
    n_boot, ci, random_state, min_n, include_title
        As for :func:`framing.stance_by_group`.
    min_docs
        Outlets with fewer documents get no interval (``few_documents``).
    dedupe, threshold
        As for :func:`outlet_sources`.

    Returns
    -------
    pandas.DataFrame
        One row per source, outlet and target: ``n``, ``n_docs``, ``mean``,
        ``ci_low``, ``ci_high``, ``too_small``, ``few_documents``,
        ``resampled`` and ``note`` (with ``by=None``, no source column).

    Examples
    --------
    >>> s = pd.DataFrame({"doc_id": list("abcdef"), "sent_id": list("123456"), "source": "K"})
    >>> d = pd.DataFrame({"doc_id": list("abcdef"), "outlet": ["X"] * 5 + ["Y"], "kind": "article"})
    >>> st = pd.DataFrame({"sent_id": list("123456"), "target": "nato",
    ...                    "score": [0.1, 0.2, 0.3, 0.4, 0.5, -0.5]})
    >>> outlet_stance(s, st, d)[["source", "outlet", "n_docs", "mean", "few_documents"]]
      source outlet  n_docs  mean  few_documents
    0      K      X       5   0.3          False
    1      K      Y       1  -0.5           True
    """
    require(stance, ["sent_id", "target", "score"], "stance", "score it with framing.score_stance")
    s = _articles(sentences, docs, dedupe=dedupe, threshold=threshold)
    parts = []
    groups = [(None, s)] if by is None else [
        (g, s[s[by] == g]) for g in sorted(s[by].dropna().unique(), key=str)
        if sources is None or g in set(sources)]
    for group, part in groups:
        meta, values = wide(part, stance, by="outlet", item="target", value="score",
                            include_title=include_title)
        if meta.empty:
            continue
        t = group_means(meta, values, by="outlet", item="target", n_boot=n_boot, ci=ci,
                        random_state=random_state, min_n=min_n, resample="documents", min_docs=min_docs)
        parts.append(t if by is None else t.assign(**{by: group}))
    if not parts:
        return pd.DataFrame(columns=[*([by] if by else []), "outlet", "target", "n", "n_docs", "mean",
                                     "ci_low", "ci_high", "too_small", "few_documents", "resampled", "note"])
    out = pd.concat(parts, ignore_index=True)
    return out[[by, *[c for c in out.columns if c != by]]] if by else out


def outlet_difference(sentences: pd.DataFrame, stance: pd.DataFrame, docs: pd.DataFrame, a: str, b: str, *,
                      by: str | None = "source", sources: Sequence[str] | None = None, n_boot: int = 2000,
                      ci: float = 0.95, random_state: int | None = 0, min_n: int = 5,
                      min_docs: int = MIN_DOCS, include_title: bool = True, dedupe: bool = False,
                      threshold: float = THRESHOLD) -> pd.DataFrame:
    """Two outlets compared: the difference ``a − b`` of each source's mean stance, per target.

    Each outlet's documents are resampled on their own (the two outlets share
    no document). A source carried by fewer than ``min_docs`` documents of
    either outlet is flagged ``few_documents`` and gets no interval; one with
    fewer than ``min_n`` sentences on either side is flagged ``too_small``.
    A source only one of the two outlets carries is left out.

    Parameters
    ----------
    sentences, stance, docs
        The attributed sentences, the long stance table and the documents.
    a, b
        The two outlets (values of the documents' ``outlet``).
    by
        The column naming the source; ``None`` compares all of the outlets' sentences.
    sources, n_boot, ci, random_state, min_n, min_docs, include_title, dedupe, threshold
        As for :func:`outlet_stance`.

    Returns
    -------
    pandas.DataFrame
        One row per source and target, with the columns of
        :func:`framing.stance_difference` (``a`` and ``b`` are the outlets).

    Examples
    --------
    >>> s = pd.DataFrame({"doc_id": list("abcd"), "sent_id": list("1234"), "source": "K"})
    >>> d = pd.DataFrame({"doc_id": list("abcd"), "outlet": ["X", "X", "Y", "Y"]})
    >>> st = pd.DataFrame({"sent_id": list("1234"), "target": "nato", "score": [0.4, 0.6, -0.2, 0.0]})
    >>> outlet_difference(s, st, d, "X", "Y")[["source", "difference", "few_documents"]].round(2)
      source  difference  few_documents
    0      K         0.6           True
    """
    require(stance, ["sent_id", "target", "score"], "stance", "score it with framing.score_stance")
    s = _articles(sentences, docs, dedupe=dedupe, threshold=threshold)
    for g in (a, b):
        if not (s["outlet"] == g).any():
            raise ValueError(f"no article of outlet {g!r}; the outlets are: "
                             f"{sorted(map(str, s['outlet'].unique()))}")
    s = s[s["outlet"].isin([a, b])]
    groups = [(None, s)] if by is None else [
        (g, s[s[by] == g]) for g in sorted(s[by].dropna().unique(), key=str)
        if sources is None or g in set(sources)]
    parts = []
    for group, part in groups:
        meta, values = wide(part, stance, by="outlet", item="target", value="score",
                            include_title=include_title)
        if set(meta["outlet"]) != {a, b}:
            continue
        t = difference(meta, values, a, b, by="outlet", item="target", n_boot=n_boot, ci=ci,
                       random_state=random_state, min_n=min_n, resample="documents", min_docs=min_docs)
        parts.append(t if by is None else t.assign(**{by: group}))
    if not parts:
        return pd.DataFrame(columns=[*([by] if by else []), "target", "a", "b", "difference"])
    out = pd.concat(parts, ignore_index=True)
    return out[[by, *[c for c in out.columns if c != by]]] if by else out
