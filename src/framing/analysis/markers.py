"""Lexical framing markers: naming choices, distancing, reporting verbs, hedges, scare quotes.

The word lists live in ``codebooks/markers.yaml`` (documented there); users
pass their own file or a mapping to extend them. Every occurrence is credited
to whoever chose the words: inside quotation marks, the quoted source; outside
them, the outlet, even in a sentence that reports a source's position.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from framing import _codebooks
from framing.analysis._text import count_words
from framing.loading import quote_spans

log = logging.getLogger(__name__)

DEFAULT_LEXICON = "markers.yaml"
OUTLET = "outlet"
SCARE_QUOTE = "scare_quote"

_QUOTE_CHARS = "“”\"‘’'«»"
_WORD = re.compile(r"\w[\w'’-]*")


@dataclass(frozen=True)
class _Category:
    name: str
    pattern: re.Pattern[str]
    terms: tuple[str, ...]


def _term_regex(term: str, *, case_sensitive: bool) -> str:
    wild = term.endswith("*")
    body = term[:-1] if wild else term
    parts = []
    for ch in body:
        if ch.isspace():
            if not parts or parts[-1] != r"\s+":
                parts.append(r"\s+")
        elif ch in "'’":
            parts.append("['’]")
        else:
            parts.append(re.escape(ch))
    rx = "".join(parts) + (r"\w*" if wild else r"(?!\w)")
    return r"(?<!\w)" + ("(?:" if case_sensitive else "(?i:") + rx + ")"


def _entries(raw: Any, where: str) -> list[tuple[str, bool]]:
    if not isinstance(raw, list):
        raise ValueError(f"{where}: 'terms' must be a list of words or phrases")
    out = []
    for i, item in enumerate(raw):
        if isinstance(item, str):
            out.append((item.strip(), False))
        elif isinstance(item, Mapping) and isinstance(item.get("term"), str):
            out.append((item["term"].strip(), bool(item.get("case_sensitive", False))))
        else:
            raise ValueError(f"{where}: entry {i + 1} ({item!r}) must be a string or a mapping with 'term'")
    return [(t, c) for t, c in out if t and t != "*"]


def marker_lexicon(lexicon: str | Path | Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Load a marker lexicon: a shipped file name, a path to a user's YAML, or a mapping.

    Parameters
    ----------
    lexicon
        ``None`` for the shipped ``markers.yaml``; otherwise a file name or path
        in the same format, or an already-loaded mapping (to extend the
        default, load it, add terms and pass the result).

    Returns
    -------
    dict
        ``{"scare_quotes": {"max_words": ...}, "categories": {name: {"description", "terms"}}}``.

    Examples
    --------
    >>> lex = marker_lexicon()
    >>> "naming" in lex["categories"]
    True
    >>> lex["categories"]["naming"]["terms"].append("Novorossiya")  # extend, then pass lexicon=lex
    """
    source = DEFAULT_LEXICON if lexicon is None else lexicon
    data = dict(lexicon) if isinstance(lexicon, Mapping) else _codebooks.load_yaml(source)
    where = "the marker lexicon" if isinstance(lexicon, Mapping) else f"marker lexicon {str(source)!r}"
    if not isinstance(data, Mapping) or not isinstance(data.get("categories"), Mapping):
        raise ValueError(f"{where} needs a 'categories:' mapping of name -> {{terms: [...]}} "
                         f"(see the shipped {DEFAULT_LEXICON} for the format)")
    return {"scare_quotes": dict(data.get("scare_quotes") or {}), "categories": dict(data["categories"])}


def _compile(lexicon: Mapping[str, Any]) -> list[_Category]:
    cats = []
    for name, spec in lexicon["categories"].items():
        terms = spec.get("terms") if isinstance(spec, Mapping) else spec
        entries = _entries(terms, f"marker category {name!r}")
        # longest first, so an alternation prefers "Kiev regime" to "Kiev" at the same place
        entries.sort(key=lambda e: len(e[0]), reverse=True)
        if not entries:
            continue
        alts = "|".join(f"(?P<t{i}>{_term_regex(t, case_sensitive=c)})" for i, (t, c) in enumerate(entries))
        cats.append(_Category(str(name), re.compile(alts), tuple(t for t, _ in entries)))
    return cats


def _n_words(text: str) -> int:
    return len(_WORD.findall(text))


def _table_spans(quotes: pd.DataFrame) -> dict[Any, list[tuple[int, int, Any]]]:
    missing = [c for c in ("doc_id", "start", "end") if c not in quotes.columns]
    if missing:
        raise KeyError(
            f"the quotes table has no column(s) {', '.join(missing)}: pass framing.quotes(sentences)"
        )
    src = quotes["source"] if "source" in quotes.columns else pd.Series(None, index=quotes.index)
    out: dict[Any, list[tuple[int, int, Any]]] = {}
    for doc, s, e, who in zip(quotes["doc_id"], quotes["start"], quotes["end"], src, strict=True):
        out.setdefault(doc, []).append((int(s), int(e), None if pd.isna(who) else who))
    return out


def find_markers(sentences: pd.DataFrame, *, quotes: pd.DataFrame | None = None,
                 lexicon: str | Path | Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Find every lexical framing marker and credit it to whoever chose the words.

    Parameters
    ----------
    sentences
        The sentences table (``sent_id``, ``text``; ``doc_id``, ``start`` and
        ``source`` when present).
    quotes
        Quotation spans with offsets into the documents' text (``doc_id, start,
        end`` and optionally ``source``), as from :func:`framing.quotes`. Without
        it, quotation marks are found in each sentence's text.
    lexicon
        Word lists (see :func:`marker_lexicon`); default the shipped ``markers.yaml``.

    Returns
    -------
    pandas.DataFrame
        One row per occurrence: ``doc_id``, ``sent_id``, ``category``, ``marker``
        (the listed term, or the quoted words for ``scare_quote``), ``match``
        (the text as written), ``start``, ``end`` (offsets into the document's
        text when ``sentences`` has ``start``, else into the sentence),
        ``in_quotes`` and ``credited_to`` (the quoted source inside quotation
        marks, ``"outlet"`` outside them and for scare quotes).

    Examples
    --------
    >>> s = pd.DataFrame({"doc_id": "d", "sent_id": ["1"], "start": [0], "source": ["Kremlin readout"],
    ...     "text": ['Putin denounced the "alleged" build-up in the breakaway regions.']})
    >>> find_markers(s)[["category", "marker", "match", "credited_to"]]
          category             marker              match      credited_to
    0  scare_quote            alleged          "alleged"           outlet
    1   distancing            alleged            alleged  Kremlin readout
    2       naming  breakaway region*  breakaway regions           outlet
    """
    for col in ("sent_id", "text"):
        if col not in sentences.columns:
            raise KeyError(f"the sentences table has no column {col!r}: pass framing.split_sentences(docs)")
    lex = marker_lexicon(lexicon)
    cats = _compile(lex)
    max_words = int(lex["scare_quotes"].get("max_words", 3))
    spans_by_doc = _table_spans(quotes) if quotes is not None else None
    rows = []
    for rec in sentences.to_dict("records"):
        text = str(rec["text"])
        offset = int(rec["start"]) if "start" in rec and pd.notna(rec.get("start")) else 0
        speaker_source = rec.get("source")
        quoted_by = speaker_source if isinstance(speaker_source, str) and speaker_source else "source"
        if spans_by_doc is not None:
            # table spans are document offsets; keep those overlapping this sentence, in sentence offsets
            spans = [(max(s - offset, 0), min(e - offset, len(text)), who)
                     for s, e, who in spans_by_doc.get(rec.get("doc_id"), []) if s < offset + len(text)
                     and e > offset]
        else:
            spans = [(s, e, None) for s, e in quote_spans(text, within="sentence")]

        def credit(pos: int, spans=spans, quoted_by=quoted_by) -> tuple[bool, str]:
            for s, e, who in spans:
                if s <= pos < e:
                    return True, who or quoted_by
            return False, OUTLET

        base = {"doc_id": rec.get("doc_id"), "sent_id": str(rec["sent_id"])}
        for cat in cats:
            for m in cat.pattern.finditer(text):
                inside, who = credit(m.start())
                rows.append({**base, "category": cat.name, "marker": cat.terms[int(m.lastgroup[1:])],
                             "match": m.group(0), "start": offset + m.start(), "end": offset + m.end(),
                             "in_quotes": inside, "credited_to": who})
        for s, e, _ in spans:
            words = text[s:e].strip(_QUOTE_CHARS + " .,;:!?")
            k = _n_words(words)
            whole = text[:s].strip() == "" and text[e:].strip(" .,;:!?") == ""
            if 1 <= k <= max_words and not whole:
                rows.append({**base, "category": SCARE_QUOTE, "marker": words, "match": text[s:e],
                             "start": offset + s, "end": offset + e, "in_quotes": False,
                             "credited_to": OUTLET})
    cols = ["doc_id", "sent_id", "category", "marker", "match", "start", "end", "in_quotes", "credited_to"]
    out = pd.DataFrame(rows, columns=cols)
    out = out.sort_values(["doc_id", "start", "category"], kind="stable").reset_index(drop=True)
    out.attrs["categories"] = [c.name for c in cats] + [SCARE_QUOTE]
    return out


def marker_table(markers: pd.DataFrame, sentences: pd.DataFrame, *, by: str = "source",
                 categories: list[str] | None = None) -> pd.DataFrame:
    """Count markers per group and category, with the sentences they occur in.

    Parameters
    ----------
    markers
        The output of :func:`find_markers`.
    sentences
        The sentences table; its ``by`` column gives each marker's group.
    by
        Column of ``sentences`` to group by.
    categories
        Categories to report (every combination with every group, zeros
        included); default those of the lexicon ``markers`` came from.

    Returns
    -------
    pandas.DataFrame
        One row per group and category: ``n`` (occurrences), ``n_outlet``
        (credited to the outlet), ``n_quoted`` (inside quotation marks),
        ``per_100_words`` (against the group's words), ``markers`` (the words
        as written, with their counts), ``sent_ids`` and ``example`` (the first sentence).

    Examples
    --------
    >>> s = pd.DataFrame({"doc_id": "d", "sent_id": ["1", "2"], "start": [0, 40],
    ...     "source": ["Kremlin readout", "narrator"],
    ...     "text": ["The Kremlin said talks are needed.", "Kiev reportedly disagreed."]})
    >>> t = marker_table(find_markers(s), s)
    >>> t.loc[t["n"] > 0, ["source", "category", "n", "markers"]]
                 source           category  n         markers
    2   Kremlin readout  reporting_neutral  1        said (1)
    6          narrator             naming  1        Kiev (1)
    10         narrator              hedge  1  reportedly (1)
    """
    if by not in sentences.columns:
        raise KeyError(
            f"the sentences table has no column {by!r}: pass by= one of {', '.join(sentences.columns)}"
        )
    s = sentences.assign(sent_id=sentences["sent_id"].astype(str))
    s = s.assign(_words=count_words(s["text"])) if "text" in s.columns else s.assign(_words=np.nan)
    groups = sorted(s[by].dropna().unique(), key=str)
    cats = categories or markers.attrs.get("categories") or sorted(markers["category"].unique())
    m = markers.merge(s[["sent_id", by]].drop_duplicates("sent_id"), on="sent_id", how="left")
    text_of = dict(zip(s["sent_id"], s["text"] if "text" in s.columns else s["sent_id"], strict=True))
    rows = []
    for g in groups:
        words = s.loc[s[by] == g, "_words"].sum()
        for c in cats:
            h = m[(m[by] == g) & (m["category"] == c)]
            counts = h["match"].str.strip(_QUOTE_CHARS + " .,;:!?").value_counts(sort=True)
            ids = list(dict.fromkeys(h["sent_id"]))
            rows.append({by: g, "category": c, "n": len(h),
                         "n_outlet": int((h["credited_to"] == OUTLET).sum()),
                         "n_quoted": int(h["in_quotes"].sum()),
                         "per_100_words": 100 * len(h) / words if words else np.nan,
                         "markers": ", ".join(f"{k} ({v})" for k, v in counts.items()),
                         "sent_ids": ids, "example": text_of.get(ids[0], "") if ids else ""})
    cols = [by, "category", "n", "n_outlet", "n_quoted", "per_100_words", "markers", "sent_ids", "example"]
    return pd.DataFrame(rows, columns=cols)  # with its columns even when no sentence has a group
