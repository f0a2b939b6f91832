"""Alignment and carriage per event: two accounts of one event; articles against its originals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from framing.analysis.alignment._carriage import Carriage, carriage
from framing.analysis.alignment._common import COLUMNS
from framing.analysis.alignment._matching import align
from framing.analysis.events import Aliases, EventAccounts, _filled, document_events, event_accounts


def align_events(sentences: pd.DataFrame, docs: pd.DataFrame, *, model: Any = None,
                 sources: Sequence[str | None] | None = None, originals: pd.DataFrame | None = None,
                 aliases: Aliases = None, **options: Any) -> pd.DataFrame:
    """Align the two accounts of every event, each event on its own.

    Parameters
    ----------
    sentences, docs, sources, originals, aliases
        As in :func:`event_accounts`.
    model
        A loaded sentence encoder (``framing.load_model()``).
    **options
        Passed to :func:`framing.align` (``threshold``, ``mode``, ``nli``).

    Returns
    -------
    pandas.DataFrame
        :func:`framing.align`'s columns plus ``event`` and ``account`` (the
        claim's source), events in order. A claim's counterpart is always a
        sentence of the same event. Events without two accounts are left out
        and listed in ``attrs["skipped"]`` (``event: reason``).

    Examples
    --------
    >>> import framing
    >>> tables = framing.run_pipeline("tests/data/multi/sources.csv")  # doctest: +SKIP
    >>> t = align_events(tables.sentences, tables.docs, model=framing.load_model())  # doctest: +SKIP
    >>> t.groupby("event")["account"].unique()  # doctest: +SKIP
    """
    parts, skipped = [], {}
    attrs: dict[str, Any] = {}
    for event in dict.fromkeys(document_events(docs).tolist()):
        acc = event_accounts(sentences, docs, event, sources=sources, originals=originals, aliases=aliases)
        if not acc.complete:
            skipped[event] = (f"{len(acc.sources)} account(s) with sentences: "
                              + (", ".join(acc.sources) or "none"))
            continue
        a, b = acc.sources
        t = align(acc.texts[a], acc.texts[b], model=model, **options)
        attrs = dict(t.attrs)
        t.insert(0, "event", event)
        t.insert(1, "account", t["side"].map({"a": a, "b": b}))
        parts.append(t)
    empty = pd.DataFrame(columns=["event", "account", *COLUMNS])
    out = pd.concat(parts, ignore_index=True) if parts else empty
    out.attrs.update({**attrs, "skipped": skipped})
    return out


def event_carriage(acc: EventAccounts, quotes: pd.DataFrame | None = None, *, model: Any = None,
                   **options: Any) -> Carriage:
    """What each article of an event carried of each of that event's originals, and how it quoted them.

    Only the accounts whose own text is available (:attr:`EventAccounts.originals`)
    are measured, and only against the articles of the same event.

    Parameters
    ----------
    acc
        The event's accounts (:func:`event_accounts`).
    quotes
        Quotations (:func:`framing.quotes`); those of each article credited to
        the original's source are checked.
    model
        A loaded sentence encoder (``framing.load_model()``).
    **options
        Passed to :func:`framing.carriage` (``threshold``, ``near_ratio``).

    Returns
    -------
    Carriage
        ``claims`` and ``quotes`` as in :func:`framing.carriage`, for every
        (original, article) pair, with ``event, source, doc_id, outlet`` first.
        Both are empty when the event has no original or no article.

    Examples
    --------
    >>> c = event_carriage(EventAccounts("call", [], {}))
    >>> c.claims.empty, list(c.claims.columns[:4])
    (True, ['event', 'source', 'doc_id', 'outlet'])
    """
    key = ["event", "source", "doc_id", "outlet"]
    claims, quoted = [], []
    outlets = dict(zip(acc.documents.get("doc_id", pd.Series(dtype=object)).astype(str),
                       acc.documents.get("outlet", pd.Series(dtype=object)).map(_filled), strict=True))
    q_all = quotes if quotes is not None else pd.DataFrame(columns=["quote_id", "sent_id", "doc_id", "text"])
    for source, original in acc.originals.items():
        for doc_id, article in acc.articles.groupby(acc.articles["doc_id"].astype(str), sort=False):
            q = q_all[q_all["doc_id"].astype(str) == doc_id] if "doc_id" in q_all.columns else q_all.iloc[:0]
            c = carriage(original, article, q, source=source, model=model, **options)
            ids = {"event": acc.event, "source": source, "doc_id": doc_id, "outlet": outlets.get(doc_id, "")}
            claims.append(c.claims.assign(**ids))
            quoted.append(c.quotes.assign(**ids))
    claim_cols = ["claim_id", "text", "status", "article_ids", "similarity", "quote_ids"]
    quote_cols = ["quote_id", "sent_id", "text", "fidelity", "ratio", "claim_id", "source_wording", "edit",
                  "spelling"]
    claims_t = pd.concat(claims, ignore_index=True) if claims else pd.DataFrame(columns=claim_cols)
    quotes_t = pd.concat(quoted, ignore_index=True) if quoted else pd.DataFrame(columns=quote_cols)
    return Carriage(claims=claims_t.reindex(columns=[*key, *claim_cols]),
                    quotes=quotes_t.reindex(columns=[*key, *quote_cols]))
