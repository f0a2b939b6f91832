"""Events and their official accounts: which documents report one event, and which are its readouts.

A corpus can hold the coverage of several events (two phone calls, a summit
and a press conference). The manifest column ``event`` names the event each
document reports; documents without one all belong to one event,
:data:`UNNAMED_EVENT`. Two accounts are only ever compared within an event.

A document whose ``kind`` is one of :data:`OFFICIAL_KINDS` (``readout``,
``statement``, ``transcript``) is an official account. Its **issuer** is the
manifest column ``issuer``, else its ``outlet``. The issuer's name gives the
**source** it is compared as, the name attribution gives the words it credits
to that issuer in articles:

1. the manifest column ``source``, when filled in, wins;
2. else the alias table (``codebooks/aliases.csv`` plus the user's
   ``aliases=``): an alias equal to the issuer's name (case, spacing, curly
   apostrophes and a leading "the" aside), else the longest alias of an
   issuing body found inside it as whole words ("Prime Minister's Office,
   10 Downing Street" -> "Downing Street readout");
3. else ``"<issuer> readout"``, the form attribution uses for official bodies.

:func:`event_accounts` returns the two accounts of one event as sentence
tables: the official document's own sentences when it is in the corpus, else a
fetched original (:func:`framing.originals`), else the sentences of the event's
articles credited to that source ("as quoted"), and says which was used.
:func:`align_events` aligns the two accounts of every event and
:func:`event_carriage` measures what each article of an event carried of that
event's originals.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from framing import _codebooks

#: Document kinds that are official accounts of an event.
OFFICIAL_KINDS = ("readout", "statement", "transcript")
#: The event of documents whose manifest gives none.
UNNAMED_EVENT = "(unnamed event)"
ACCOUNT_COLUMNS = ["doc_id", "event", "issuer", "source", "kind", "origin"]
USED_COLUMNS = ["source", "text_used", "doc_id", "sentences"]
#: How :func:`event_accounts` found an account's text.
IN_CORPUS, FETCHED, AS_QUOTED = "readout in the corpus", "fetched original", "as quoted in the articles"
#: How a fetched original's date may differ from its event's documents (it may come out a day earlier).
DAYS_BEFORE = 1
_ALIASES = "aliases.csv"
Aliases = str | Path | pd.DataFrame | None


def _filled(value: Any) -> str:
    """The value as stripped text; ``""`` for None, NaN and blanks."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return ""
    return str(value).strip()


def _column(df: pd.DataFrame, name: str) -> pd.Series:
    """A column as stripped strings (blank where missing)."""
    if name not in df.columns:
        return pd.Series([""] * len(df), index=df.index, dtype=object)
    return df[name].map(_filled).astype(object)


def _key(name: str) -> str:
    key = re.sub(r"\s+", " ", name.replace("’", "'")).strip().lower()
    return re.sub(r"^the ", "", key)


# --------------------------------------------------------------------------- events


def document_events(docs: pd.DataFrame) -> pd.Series:
    """The event of each document: its ``event``, else :data:`UNNAMED_EVENT`.

    Parameters
    ----------
    docs
        The documents table (:func:`framing.load_corpus`), with ``doc_id`` and
        optionally ``event``.

    Returns
    -------
    pandas.Series
        Event names indexed by ``doc_id``.

    Examples
    --------
    >>> docs = pd.DataFrame({"doc_id": ["a", "b", "c"], "event": ["call 1", None, "call 2"]})
    >>> document_events(docs).tolist()
    ['call 1', '(unnamed event)', 'call 2']
    """
    ev = _column(docs, "event")
    return pd.Series(ev.where(ev != "", UNNAMED_EVENT).tolist(), index=docs["doc_id"].astype(str).tolist(),
                     name="event", dtype=object)


def _is_official(docs: pd.DataFrame) -> pd.Series:
    return _column(docs, "kind").str.lower().isin(OFFICIAL_KINDS)


def event_summary(docs: pd.DataFrame) -> pd.DataFrame:
    """One row per event: how many documents, articles, official accounts and outlets report it.

    Parameters
    ----------
    docs
        The documents table (:func:`framing.load_corpus`).

    Returns
    -------
    pandas.DataFrame
        ``event, documents, articles, official, outlets`` (distinct outlets of
        the articles), ``first_date, last_date`` (as written; blank when no
        document has a date), events in order of first appearance.

    Examples
    --------
    >>> docs = pd.DataFrame({"doc_id": ["a", "b", "k"], "outlet": ["RT", "BBC", "Kremlin"],
    ...                      "kind": ["article", "article", "readout"], "event": ["call"] * 3})
    >>> event_summary(docs)[["event", "documents", "articles", "official", "outlets"]].values.tolist()
    [['call', 3, 2, 1, 2]]
    """
    table = pd.DataFrame({"event": document_events(docs).tolist(), "official": _is_official(docs).tolist(),
                          "outlet": _column(docs, "outlet").tolist(), "date": _column(docs, "date").tolist()})
    rows = []
    for name, g in table.groupby("event", sort=False):
        art = g[~g["official"]]
        dates = sorted(d for d in g["date"] if d)
        rows.append({"event": name, "documents": len(g), "articles": len(art),
                     "official": int(g["official"].sum()),
                     "outlets": art.loc[art["outlet"] != "", "outlet"].nunique(),
                     "first_date": dates[0] if dates else "", "last_date": dates[-1] if dates else ""})
    return pd.DataFrame(rows, columns=["event", "documents", "articles", "official", "outlets", "first_date",
                                       "last_date"])


# --------------------------------------------------------------------------- issuers and sources


@functools.lru_cache(maxsize=1)
def _shipped_aliases() -> pd.DataFrame:
    return _codebooks.load_csv(_ALIASES, keep_default_na=False, dtype=str)


def _alias_table(aliases: Aliases) -> pd.DataFrame:
    tables = [_shipped_aliases().copy()]
    if aliases is not None:
        extra = aliases if isinstance(aliases, pd.DataFrame) else _codebooks.load_csv(
            aliases, keep_default_na=False, dtype=str)
        missing = {"alias", "source"} - set(extra.columns)
        if missing:
            raise ValueError(f"the extra aliases lack the column(s) {sorted(missing)}: an alias table "
                             "needs alias,speaker,source[,kind] (see framing/codebooks/aliases.csv)")
        tables.append(extra)
    table = pd.concat(tables, ignore_index=True)
    if "kind" not in table.columns:
        table["kind"] = ""
    table = table.fillna("").astype(str)
    # a user's row wins over a shipped row with the same alias
    table["key"] = table["alias"].map(_key)
    table = table[(table["key"] != "") & (table["source"].str.strip() != "")]
    return table.drop_duplicates("key", keep="last")


def issuer_source(issuer: str, *, aliases: Aliases = None) -> str:
    """The source an issuer's documents are compared as, named as attribution names it.

    An alias equal to the issuer's name (case, spacing, curly apostrophes and
    a leading "the" aside) gives its source; else the longest alias of an
    issuing body (``kind`` issuer) found in the name as whole words; else
    ``"<issuer> readout"``.

    Parameters
    ----------
    issuer
        The issuer's name, as in the manifest.
    aliases
        Extra aliases (a CSV path or a DataFrame with ``alias, speaker,
        source[, kind]``), added to ``codebooks/aliases.csv``; they win where
        an alias is in both, as in :func:`framing.attribute`.

    Returns
    -------
    str
        The source, e.g. ``"Kremlin readout"``.

    Examples
    --------
    >>> issuer_source("No 10"), issuer_source("the Kremlin")
    ('Downing Street readout', 'Kremlin readout')
    >>> issuer_source("Prime Minister's Office, 10 Downing Street")
    'Downing Street readout'
    >>> issuer_source("NATO")
    'NATO readout'
    >>> issuer_source("NATO", aliases=pd.DataFrame({"alias": ["NATO"], "speaker": ["NATO"],
    ...                                               "source": ["NATO statement"]}))
    'NATO statement'
    """
    name = _filled(issuer)
    if not name:
        raise ValueError("an issuer needs a name")
    table = _alias_table(aliases)
    key = _key(name)
    exact = table[table["key"] == key]
    if len(exact):
        return str(exact["source"].iloc[-1]).strip()
    bodies = table[table["kind"].isin(["issuer", ""])]
    found = [(len(k), s) for k, s in zip(bodies["key"], bodies["source"], strict=True)
             if re.search(r"(?<!\w)" + re.escape(k) + r"(?!\w)", key)]
    if found:
        return str(max(found, key=lambda f: f[0])[1]).strip()
    return name if key.endswith(" readout") else f"{name} readout"


def _day(value: Any) -> pd.Timestamp | None:
    text = _filled(value)
    if not text:
        return None
    try:
        day = pd.Timestamp(text)
    except (ValueError, TypeError):
        return None
    if pd.isna(day):
        return None
    return (day.tz_convert(None) if day.tzinfo else day).normalize()


def _fits(original: Mapping[str, Any], event: str, spans: Mapping[str, tuple[Any, Any]]) -> bool:
    """Whether a fetched original belongs to ``event``: its own ``event``, else its date."""
    own = _filled(original.get("event"))
    if own:
        return own == event
    day, (first, last) = _day(original.get("date")), spans.get(event, (None, None))
    if day is None or first is None:
        return True
    return first - pd.Timedelta(days=DAYS_BEFORE) <= day <= last


def _spans(docs: pd.DataFrame) -> dict[str, tuple[Any, Any]]:
    days = pd.DataFrame({"event": document_events(docs).tolist(),
                         "day": [_day(d) for d in _column(docs, "date")]}).dropna()
    return {e: (g["day"].min(), g["day"].max()) for e, g in days.groupby("event")}


def accounts(docs: pd.DataFrame, *, originals: pd.DataFrame | None = None,
             aliases: Aliases = None) -> pd.DataFrame:
    """The official accounts of each event: readouts, statements and transcripts, with their source.

    Parameters
    ----------
    docs
        The documents table (:func:`framing.load_corpus`); official accounts are
        the documents whose ``kind`` is one of :data:`OFFICIAL_KINDS`.
        Optional manifest columns: ``event``, ``issuer`` (default the
        ``outlet``, then the ``doc_id``) and ``source`` (overrides the source
        derived from the issuer, see :func:`issuer_source`).
    originals
        Fetched originals (:func:`framing.originals`: ``doc_id, issuer, source,
        date`` and optionally ``event``), added for the events they belong to:
        their own ``event`` when given, else every event whose documents'
        dates span the original's (from :data:`DAYS_BEFORE` day before the
        first document to the last; every event when either has no date).
    aliases
        Extra aliases for :func:`issuer_source`.

    Returns
    -------
    pandas.DataFrame
        ``doc_id, event, issuer, source, kind, origin`` (``corpus`` or
        ``fetched``), in the order of the documents.

    Examples
    --------
    >>> docs = pd.DataFrame({"doc_id": ["a", "k", "n"], "outlet": ["RT", "kremlin.ru", "GOV.UK"],
    ...                      "kind": ["article", "readout", "readout"], "issuer": ["", "Kremlin", "No 10"]})
    >>> accounts(docs)[["doc_id", "issuer", "source"]].values.tolist()
    [['k', 'Kremlin', 'Kremlin readout'], ['n', 'No 10', 'Downing Street readout']]
    """
    official = docs[_is_official(docs).to_numpy()]
    ev = document_events(docs)
    rows = []
    for _, d in official.iterrows():
        doc_id = str(d["doc_id"])
        issuer = _filled(d.get("issuer")) or _filled(d.get("outlet")) or doc_id
        rows.append({"doc_id": doc_id, "event": ev[doc_id], "issuer": issuer,
                     "source": _filled(d.get("source")) or issuer_source(issuer, aliases=aliases),
                     "kind": _filled(d.get("kind")).lower(), "origin": "corpus"})
    if originals is not None and len(originals):
        spans = _spans(docs)
        for _, o in originals.iterrows():
            issuer = _filled(o.get("issuer")) or str(o["doc_id"])
            source = _filled(o.get("source")) or issuer_source(issuer, aliases=aliases)
            for event in dict.fromkeys(ev.tolist()):
                if _fits(o, event, spans):
                    rows.append({"doc_id": str(o["doc_id"]), "event": event, "issuer": issuer,
                                 "source": source, "kind": _filled(o.get("kind")).lower() or "readout",
                                 "origin": "fetched"})
    return pd.DataFrame(rows, columns=ACCOUNT_COLUMNS)


# --------------------------------------------------------------------------- the two accounts of an event


@dataclass
class EventAccounts:
    """The two accounts of one event, as sentence tables, and the event's articles.

    Attributes
    ----------
    event
        The event's name.
    sources
        The accounts compared, in order (up to two; fewer when the event has
        fewer).
    texts
        Each source's sentences (``doc_id, sent_id, text, ...``, titles left out).
    used
        One row per source: ``source, text_used`` (``readout in the corpus``,
        ``fetched original`` or ``as quoted in the articles``), ``doc_id`` (of
        the original; blank as quoted) and ``sentences``.
    articles
        The sentences of the event's other documents (titles left out).
    documents
        The event's documents: ``doc_id, outlet, kind, title, date``.
    notes
        What could not be done as asked (a source given that the event has no
        account of, replaced by the event's default).

    Examples
    --------
    >>> acc = EventAccounts("call", ["Kremlin readout"], {"Kremlin readout": pd.DataFrame({"text": ["Hi."]})},
    ...                     used=pd.DataFrame({"source": ["Kremlin readout"],
    ...                                        "text_used": ["as quoted in the articles"]}))
    >>> acc.complete, acc.originals
    (False, {})
    """

    event: str
    sources: list[str]
    texts: dict[str, pd.DataFrame]
    used: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=USED_COLUMNS))
    articles: pd.DataFrame = field(default_factory=pd.DataFrame)
    documents: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Whether there are two accounts, each with at least one sentence.

        Returns
        -------
        bool
            True when the two accounts can be aligned.

        Examples
        --------
        >>> EventAccounts("call", [], {}).complete
        False
        """
        return len(self.sources) == 2 and all(len(self.texts[s]) for s in self.sources)

    @property
    def originals(self) -> dict[str, pd.DataFrame]:
        """The accounts whose own text is used (a readout in the corpus or a fetched original).

        Returns
        -------
        dict
            Source -> its sentences; accounts seen only as quoted are left out.

        Examples
        --------
        >>> EventAccounts("call", [], {}).originals
        {}
        """
        own = self.used[self.used["text_used"] != AS_QUOTED]
        return {s: self.texts[s] for s in own["source"] if s in self.texts}


def _official_sources(acc: pd.DataFrame) -> list[str]:
    """Each source of an event's official documents once, documents in the corpus before fetched ones."""
    acc = acc.sort_values("origin", key=lambda o: o.map({"corpus": 0, "fetched": 1}), kind="stable")
    return list(dict.fromkeys(acc["source"]))


def _credited(articles: pd.DataFrame, aliases: Aliases) -> list[str]:
    """Official sources credited in the articles, most sentences first (ties by name).

    A source is official when the alias table names it as the source of an
    issuer or a leader, or when it ends in " readout" (attribution's name for
    an official body's words).
    """
    if "source" not in articles.columns or not len(articles):
        return []
    table = _alias_table(aliases)
    official = set(table.loc[table["kind"].isin(["issuer", "leader"]), "source"].str.strip())
    counts = articles["source"].map(_filled).value_counts()
    keep = [(-int(n), s) for s, n in counts.items() if s in official or s.endswith(" readout")]
    return [s for _, s in sorted(keep)]


def _default_sources(official: pd.DataFrame, articles: pd.DataFrame, aliases: Aliases) -> list[str]:
    """The two accounts of an event: its official documents, most credited first, then credited sources."""
    credited = _credited(articles, aliases)
    rank = {s: i for i, s in enumerate(credited)}
    own = _official_sources(official[official["origin"] == "corpus"])
    own = sorted(own, key=lambda s: rank.get(s, len(rank)))  # stable: document order among the uncredited
    fetched = [s for s in _official_sources(official) if s in rank and s not in own]
    chosen = own + sorted(fetched, key=rank.__getitem__)
    chosen += [s for s in credited if s not in chosen]
    return chosen[:2]


def _fetched_sentences(row: Mapping[str, Any]) -> pd.DataFrame:
    from framing.loading import split_sentences

    doc = pd.DataFrame([{"doc_id": str(row["doc_id"]), "title": _filled(row.get("title")),
                         "text": str(row["text"])}])
    split = split_sentences(doc)
    return split[~split["is_title"]].reset_index(drop=True)


def _account(source: str, official: pd.DataFrame, sentences: pd.DataFrame, articles: pd.DataFrame,
             originals: pd.DataFrame | None) -> tuple[pd.DataFrame, dict[str, Any]]:
    """One source's sentences and how they were found: the corpus document, a fetched original, as quoted."""
    mine = official[official["source"] == source]
    in_corpus = mine[mine["origin"] == "corpus"]
    if len(in_corpus):
        doc_id = str(in_corpus["doc_id"].iloc[0])
        text = sentences[(sentences["doc_id"].astype(str) == doc_id) & ~sentences["is_title"].astype(bool)]
        return text.reset_index(drop=True), {"text_used": IN_CORPUS, "doc_id": doc_id}
    fetched = mine[mine["origin"] == "fetched"]
    if len(fetched) and originals is not None:
        doc_id = str(fetched["doc_id"].iloc[0])
        row = originals[originals["doc_id"].astype(str) == doc_id].iloc[0]
        return _fetched_sentences(row), {"text_used": FETCHED, "doc_id": doc_id}
    credited = articles[articles["source"] == source] if "source" in articles.columns else articles.iloc[:0]
    return credited.reset_index(drop=True), {"text_used": AS_QUOTED, "doc_id": ""}


def event_accounts(sentences: pd.DataFrame, docs: pd.DataFrame, event: str | None = None, *,
                   sources: Sequence[str | None] | None = None, originals: pd.DataFrame | None = None,
                   aliases: Aliases = None) -> EventAccounts:
    """The two accounts of one event as sentence tables, and the event's articles.

    Parameters
    ----------
    sentences
        Attributed sentences (:func:`framing.attribute`: ``doc_id, sent_id,
        text, is_title, source, ...``).
    docs
        The documents table, for ``event``, ``kind``, ``issuer`` and ``outlet``.
    event
        The event's name (see :func:`event_summary`); ``None`` when the corpus has
        only one event.
    sources
        The two sources to compare (``None`` or a ``None`` item: the default).
        A source the event has no account of (no official document, fetched
        original or credited sentence) is replaced by the default, and
        ``notes`` says so: one pair of sources rarely fits every event.
        By default the sources of the event's official documents (readouts,
        statements, transcripts; see :func:`accounts`), the one most credited
        in the event's articles first, then the official sources most
        credited in the articles (the alias table's issuers and leaders, and
        any source ending in " readout").
    originals
        Fetched originals (:func:`framing.originals`), used for a source whose
        official document is not in the corpus.
    aliases
        Extra aliases for :func:`issuer_source`.

    Returns
    -------
    EventAccounts
        Each source's text is its official document's sentences when the
        document is in the corpus, else a fetched original's, else the
        sentences of the event's articles credited to it ("as quoted");
        ``used`` says which.

    Examples
    --------
    >>> docs = pd.DataFrame({"doc_id": ["a", "k"], "kind": ["article", "readout"], "issuer": ["", "Kremlin"],
    ...                      "outlet": ["RT", ""]})
    >>> s = pd.DataFrame({"doc_id": ["a", "a", "k"], "sent_id": ["a:1", "a:2", "k:1"], "is_title": False,
    ...                   "text": ["Putin said NATO must stop.", "No 10 said talks help.", "NATO must stop."],
    ...                   "source": ["Kremlin readout", "Downing Street readout", "narrator"]})
    >>> acc = event_accounts(s, docs)
    >>> acc.used[["source", "text_used"]].values.tolist()
    [['Kremlin readout', 'readout in the corpus'], ['Downing Street readout', 'as quoted in the articles']]
    >>> acc.texts["Kremlin readout"]["sent_id"].tolist(), acc.articles["sent_id"].tolist()
    (['k:1'], ['a:1', 'a:2'])
    """
    ev = document_events(docs)
    names = list(dict.fromkeys(ev.tolist()))
    if event is None:
        if len(names) != 1:
            raise ValueError(f"the corpus reports {len(names)} events: name one of {names}")
        event = names[0]
    if event not in names:
        raise ValueError(f"no event {event!r} in the documents: the events are {names}")
    in_event = docs[(ev == event).to_numpy()]
    official = accounts(in_event, originals=originals, aliases=aliases)
    official = official[official["event"] == event]
    ids = set(in_event["doc_id"].astype(str))
    article_ids = ids - set(official.loc[official["origin"] == "corpus", "doc_id"])
    body = sentences[sentences["doc_id"].astype(str).isin(article_ids) & ~sentences["is_title"].astype(bool)]
    body = body.reset_index(drop=True)
    have = set(official["source"]) | set(body["source"].map(_filled) if "source" in body.columns else [])
    picked, notes = _pick(sources, _default_sources(official, body, aliases), have)
    texts, used = {}, []
    for source in picked:
        texts[source], how = _account(source, official, sentences, body, originals)
        used.append({"source": source, **how, "sentences": len(texts[source])})
        same = official[(official["source"] == source) & (official["origin"] == "corpus")]
        if len(same) > 1:
            notes.append(f"{len(same)} documents are compared as {source!r}; the first, "
                         f"{same['doc_id'].iloc[0]!r}, is used")
    cols = [c for c in ("doc_id", "outlet", "kind", "title", "date") if c in in_event.columns]
    return EventAccounts(event, list(texts), texts, pd.DataFrame(used, columns=USED_COLUMNS), body,
                         in_event[cols].reset_index(drop=True), notes)


def _pick(sources: Sequence[str | None] | None, chosen: list[str],
          have: set[str]) -> tuple[list[str], list[str]]:
    """The sources compared: those given that the event has an account of, then the event's defaults."""
    given = list(sources) if sources is not None else []
    if len(given) > 2 or (len(given) == 2 and given[0] and given[0] == given[1]):
        raise ValueError(f"sources= takes two different sources (or None), got {given}")
    wanted = [_filled(given[i]) if i < len(given) else "" for i in range(2)]
    notes = [f"no account of {w!r} in this event (no document, fetched original or credited sentence)"
             for w in wanted if w and w not in have]
    picked: list[str | None] = [w if w in have else None for w in wanted]
    rest = iter([s for s in chosen if s not in picked])
    picked = [p or next(rest, None) for p in picked]
    return [p for p in picked if p], notes
