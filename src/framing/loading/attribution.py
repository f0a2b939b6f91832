"""Who says what: speaker, source and mode of every sentence, and quotation spans.

A report of a phone call mixes voices: the outlet's own narration, each side's
official readout, and officials speaking elsewhere. :func:`attribute` credits
every sentence to one of them; :func:`quotes` lists the quoted words with
character offsets, so a report can highlight them.

How attribution is found, in order of preference within a sentence:

* the subject of a reporting verb from ``codebooks/reporting_verbs.csv``
  ("Putin **told** Johnson ...", "..., **it said**", "the Kremlin's readout
  **noted** ...", "The readout provided by 10 Downing Street **said** ..."),
  or the object of "according to"; the verb closest to the root of the
  dependency parse wins, and verbs inside relative clauses or quotations are
  skipped;
* the subject is resolved with the alias table ``codebooks/aliases.csv``
  (official bodies, leaders, role phrases such as "the Russian leader"), the
  person names found by spaCy (a surname is linked to the full name used
  earlier in the document), and carry-over: a pronoun refers back to the last
  person or body quoted, "the statement" / "the readout" to the last official
  source, "the minister" to the last person;
* a sentence that lies wholly inside a quotation takes the attribution of the
  quotation it belongs to, or of the sentence that introduced it.

A leader's words are credited to his or her side's readout (the article's only
window on a call) unless the attribution places them in another venue (press
conference, interview, visit, speech, briefing, "after ... said"), in which
case the source is the speaker. A named spokesperson speaks for him- or herself
unless relaying the leader's words; "X denies / assesses / believes" is X's own
standing position, never a readout; "X quoted Y as saying" has source X and
speaker Y; a group ("The EU, US and UK") is one source.

A speaker outside the alias table is never lost: a common noun ("the envoy",
"two negotiators") becomes a source named by its phrase ("envoy",
"negotiators"), a pronoun with nothing to refer to stays itself. Titles ("the
Prime Minister", "the Russian leader", "the Secretary") resolve through
``codebooks/roles.csv`` to whoever held the office on the document's date, in
the document's context, never simply to the last speaker.

A readout document (``kind == "readout"`` in the documents table) is its
issuer's account from first sentence to last (see ``_readouts``). A pull-quote
takes the attribution of the quotation it repeats. Sentences with no
attribution, negated reports ("did not respond to a request for comment"), and
headlines are the outlet's narration. The ``cue`` column says which rule fired.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from framing.loading._cues import (
    _DATELINE,
    _PLACE_COLON,
    _Candidate,
    _candidates,
    _elsewhere,
    _finish,
    _fully_quoted,
    _mode,
    _nlp,
    _tail_candidate,
)
from framing.loading._lexicon import _CUES, _Lexicon, _lexicon
from framing.loading._quotes import document_quotes
from framing.loading._readouts import DocMeta, in_readout, issuer_attr, pull_quotes, same_attr
from framing.loading._roles import parse_date, roles
from framing.loading._speakers import _Attr, _person_name, _resolve_subject, _State

if TYPE_CHECKING:
    from spacy.tokens import Doc

log = logging.getLogger(__name__)

NARRATOR = "narrator"
ATTRIBUTION_COLUMNS = ["speaker", "source", "mode", "cue"]
QUOTE_COLUMNS = ["quote_id", "sent_id", "doc_id", "start", "end", "text", "speaker", "source"]

def _mentions(doc: Doc, text: str, lex: _Lexicon, state: _State) -> None:
    """Note the people, leaders and countries a sentence names, for roles and carry-over."""
    named: set[str] = set()  # the people this sentence's entities name
    for ent in doc.ents:
        if ent.label_ == "PERSON":
            name = _person_name(ent.root, lex, state)
            if " " in name and name not in state.persons:
                state.persons.append(name)
            state.recent.append(name)
            named.add(name)
            if ent.root.dep_ in ("nsubj", "nsubjpass") and ent.root.head.dep_ == "ROOT":
                state.subjects.append(name)
    root = doc[:].root if len(doc) else None
    subject = {t.idx for c in root.children if c.dep_ in ("nsubj", "nsubjpass") for t in c.subtree} \
        if root is not None else set()
    for start, _, alias in lex.find(text):
        if alias.kind in ("leader", "person") and alias.speaker and alias.speaker not in named:
            state.recent.append(alias.speaker)  # a name the entity recogniser missed
            if start in subject:
                state.subjects.append(alias.speaker)
        if alias.country:
            state.countries.append(alias.country)
        if alias.kind == "issuer" and alias.speaker:
            state.issuers.append(alias)
        if alias.kind == "leader" and alias.speaker:
            state.leaders.append(alias)
            if alias.speaker not in state.participants and alias.source.endswith(" readout"):
                state.participants.append(alias.speaker)
    if state.roles is not None:
        state.countries.extend(state.roles.countries_in(text))


def _parties(texts: Sequence[str], lead: int, lex: _Lexicon) -> set[str]:
    """Readouts the document draws on.

    The sides named in its opening (headline and first paragraph), and every
    issuer named next to a document word ("the readout provided by 10 Downing
    Street", "the Kremlin said in a statement").
    """
    out: set[str] = set()
    for i, text in enumerate(texts):
        low = f" {text.lower()} "
        documentary = any(re.search(rf"\b{re.escape(w)}\b", low) for w in lex.documents)
        for _, _, alias in lex.find(text):
            if alias.kind == "metonym":
                continue
            if i < lead or (alias.kind == "issuer" and documentary):
                out.add(alias.source)
    return out


def _narration() -> _Attr:
    return _Attr("", NARRATOR, "other", "", "narration")


def _continues(out: Sequence[_Attr | None], paras: Sequence[int], repeats: dict[int, int],
               i: int) -> _Attr | None:
    """The attribution a wholly quoted sentence carries on from, skipping pull-quotes."""
    k, gap = i - 1, 1
    while k >= 0 and k in repeats:
        gap += paras[k + 1] - paras[k]
        k -= 1
    if k < 0:
        return None
    prev = out[k]
    if prev is None or prev.mode == "narration" or paras[i] - paras[k] > gap:
        return None
    return prev


def _through_channel(attr: _Attr, others: Sequence[_Candidate]) -> _Attr:
    """"According to the Kremlin, Johnson raised ...": the named issuer is the channel, Johnson speaks."""
    if attr.kind != "leader" or not attr.source.endswith(" readout"):
        return attr
    channel = next((c.attr for c in others
                    if c.attr.kind == "issuer" and c.attr.source.endswith(" readout")
                    and not _own_side(c)), None)
    return attr if channel is None else replace(attr, source=channel.source)


def _own_side(cand: _Candidate) -> bool:
    """"according to a summary released by his office": the speaker's own side, not another channel."""
    return cand.subject is not None and any(
        t.dep_ == "poss" and t.pos_ == "PRON" for t in cand.subject.subtree)


def _note_account(doc: Doc, lex: _Lexicon, state: _State) -> None:
    """"The Kremlin's account was more detailed. It said ...": a body named as subject is "it" next."""
    root = doc[:].root if len(doc) else None
    subj = next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")), None) if root else None
    if subj is None or subj.pos_ == "PRON":
        return
    who = _resolve_subject(subj, lex, state)
    if who is not None and who.kind == "issuer" and who.source.endswith(" readout"):
        state.last_body = who


def _attribute_doc(rows: pd.DataFrame, docs: Sequence[Doc], lex: _Lexicon, meta: DocMeta) -> list[_Attr]:
    doc_quotes = document_quotes(rows)
    starts = rows["start"].astype(int).tolist()
    ends = rows["end"].astype(int).tolist()
    texts = rows["text"].astype(str).tolist()
    titles = rows["is_title"].astype(bool).tolist() if "is_title" in rows else [False] * len(rows)
    paras = rows["para"].astype(int).tolist() if "para" in rows else list(range(len(rows)))
    body = [i for i, t in enumerate(titles) if not t]
    lead_end = next((i for i in body if paras[i] != paras[body[0]]), len(rows)) if body else 0
    table = roles()
    issuer, home = issuer_attr(meta, lex, table)
    state = _State(parties=_parties(texts, lead_end, lex), roles=table, on=meta.on, home=home)
    local = [[(max(s, st) - st, min(e, en) - st) for s, e in doc_quotes if s < en and e > st]
             for st, en in zip(starts, ends, strict=True)]
    repeats = {} if issuer is not None else pull_quotes(texts, titles, paras)
    out: list[_Attr | None] = [None] * len(rows)
    pending: list[int] = []  # wholly quoted sentences waiting for the attribution of their quotation
    for i, doc in enumerate(docs):
        if titles[i]:
            _mentions(doc, texts[i], lex, state)
            out[i] = _narration()
            continue
        if i in repeats:
            continue
        cands = _candidates(doc, local[i], lex, state)
        cand = cands[0] if cands else _tail_candidate(doc, local[i], lex, state)
        if issuer is not None:
            out[i] = attr = in_readout(doc, cand, local[i], lex, state, issuer)
            state.remember(attr, is_person=attr.speaker != issuer.speaker and " and " not in attr.speaker)
            if attr.speaker != issuer.speaker and " and " not in attr.speaker:
                state.recent.append(attr.speaker)
                state.subjects.append(attr.speaker)
        elif cand is not None:
            attr = _finish(cand, lex, state, local[i], _elsewhere(cand, lex, doc))
            attr = _through_channel(attr, cands[1:])
            if attr.kind in ("leader", "person") and attr.speaker:
                state.venue[attr.speaker] = attr.source == attr.speaker  # spoke outside the event
            attr = replace(attr, mode=_mode(doc, local[i], cand.frame))
            is_person = attr.kind in ("leader", "person", "spokesperson") or (
                attr.speaker != lex.bodies.get(attr.source, attr.source) and attr.kind != "other")
            state.remember(attr, is_person=is_person)
            if is_person:
                state.recent.append(attr.speaker)
                state.subjects.append(attr.speaker)
            out[i] = attr
            for j in pending:  # "“A. B,” he said." credits A to the speaker of B
                if _same_quote(doc_quotes, starts, ends, j, i):
                    out[j] = replace(attr, cue="", mode="direct")
            pending = []
        elif _fully_quoted(doc, local[i]):
            prev = _continues(out, paras, repeats, i)
            if prev is not None:
                out[i] = replace(prev, cue="", mode="direct")
            else:
                pending.append(i)
        if out[i] is None:
            _note_account(doc, lex, state)
        _mentions(doc, texts[i], lex, state)
        if out[i] is None and not (pending and pending[-1] == i):
            pending = []
    for i, j in repeats.items():
        if out[j] is not None and out[j].mode != "narration":
            out[i] = same_attr(out[j])
    return [a if a is not None else _narration() for a in out]


def _same_quote(spans: Sequence[tuple[int, int]], starts: Sequence[int], ends: Sequence[int],
                j: int, i: int) -> bool:
    """Whether sentence j's quotation runs on into sentence i (possibly across a paragraph)."""
    inside_j = [(s, e) for s, e in spans if s < ends[j] and e > starts[j]]
    inside_i = [(s, e) for s, e in spans if s < ends[i] and e > starts[i]]
    if not inside_j:
        return False
    if not inside_i:  # '“A month is nothing.” That was the verdict of X.': the cue right after
        return i == j + 1
    return any(a == b for a in inside_j for b in inside_i) or i == j + 1


def _check(sentences: pd.DataFrame) -> None:
    missing = {"doc_id", "sent_id", "start", "end", "text"} - set(sentences.columns)
    if missing:
        raise ValueError(
            f"the sentences table lacks {sorted(missing)}; pass the output of framing.split_sentences"
        )


def _parse(texts: Sequence[str], lex: _Lexicon, *, batch_size: int = 64) -> list[Doc]:
    # Same-length substitutions keep character offsets: no-break spaces and
    # curly apostrophes confuse the tagger ("There’s" is read as a verb "’").
    cleaned = [re.sub(r"(?<=\w)’(?=\w)", "'", t.replace("\xa0", " ")) for t in texts]
    cleaned = [_DATELINE.sub(lambda m: " " * len(m.group(0)), t) for t in cleaned]
    cleaned = [_place_colon(t, lex) for t in cleaned]
    return list(_nlp().pipe(cleaned, batch_size=batch_size))


def _place_colon(text: str, lex: _Lexicon) -> str:
    """Blank "Beijing: " opening a story, when the word is a place the alias table knows."""
    m = _PLACE_COLON.match(text)
    if m is None:
        return text
    alias = lex.lookup(m.group(1))
    return " " * m.end() + text[m.end():] if alias is not None and alias.kind == "metonym" else text


def _doc_meta(sentences: pd.DataFrame, docs: pd.DataFrame | None) -> dict[str, DocMeta]:
    """Kind, issuer and date of each document, from ``docs`` or from the sentences' own columns."""
    table = docs if docs is not None else sentences
    if "doc_id" not in table:
        raise ValueError("docs= needs a doc_id column (pass the table from framing.load_corpus)")
    cols = [c for c in ("kind", "issuer", "date") if c in table]
    meta: dict[str, DocMeta] = {}
    for r in table[["doc_id", *cols]].drop_duplicates("doc_id").to_dict("records"):
        text = {c: ("" if pd.isna(r.get(c)) else str(r.get(c))) for c in ("kind", "issuer")}
        meta[str(r["doc_id"])] = DocMeta(text["kind"], text["issuer"], parse_date(r.get("date")))
    return meta


def attribute(sentences: pd.DataFrame, *, docs: pd.DataFrame | None = None,
              aliases: str | Path | pd.DataFrame | None = None,
              cues: str | Path = _CUES, batch_size: int = 64) -> pd.DataFrame:
    """Add who says what to every sentence: ``speaker``, ``source``, ``mode`` and ``cue``.

    Parameters
    ----------
    sentences
        The table from :func:`framing.split_sentences` (``doc_id, sent_id, para,
        n, start, end, text, is_title``). Sentences of a document are read in
        order of ``start``, since attribution carries over from one to the next.
    docs
        The documents table from :func:`framing.load_corpus`. Its ``kind``,
        ``issuer`` and ``date`` columns make a readout (``kind == "readout"``)
        its issuer's account from first sentence to last, and date the roles
        ("the Prime Minister" on that day). Without it, those columns are read
        from ``sentences`` when present.
    aliases
        Extra aliases, as a path to a CSV or a DataFrame with the columns of
        ``codebooks/aliases.csv`` (``alias, speaker, source[, kind]``). They are
        added to the shipped table and win where an alias is in both.
    cues
        The shipped ``reporting_verbs.csv`` or a user's file of the same shape.
    batch_size
        Sentences per spaCy batch.

    Returns
    -------
    pandas.DataFrame
        A copy of ``sentences`` with four more columns: ``speaker`` (normalised
        name of the person or body, empty for narration), ``source``
        (``"<Issuer> readout"``, a speaker's name, or ``"narrator"``), ``mode``
        (``direct``, ``mixed``, ``indirect`` or ``narration``) and ``cue`` (the
        rule that fired: the reporting verb or phrase, "readout document",
        "role: Prime Minister", "quoted … as saying", "pull-quote"; empty when
        none).

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"doc_id": ["d", "d"], "sent_id": ["d:0", "d:1"], "para": [0, 0],
    ...     "n": [1, 2], "start": [0, 36], "end": [35, 82], "is_title": [False, False],
    ...     "text": ["Putin told Macron talks were vital.",
    ...              "“We will not wait forever,” the Kremlin added."]})
    >>> attribute(s)[["speaker", "source", "mode", "cue"]].values.tolist()
    ... # doctest: +NORMALIZE_WHITESPACE
    [['Vladimir Putin', 'Kremlin readout', 'indirect', 'told'],
     ['Kremlin', 'Kremlin readout', 'direct', 'added']]
    """
    _check(sentences)
    lex = _lexicon(aliases, cues)
    out = sentences.copy()
    for col in ATTRIBUTION_COLUMNS:
        out[col] = ""
    if not len(out):
        return out
    order = out.sort_values(["doc_id", "start"], kind="stable").index
    parsed_docs = _parse(out.loc[order, "text"].astype(str).tolist(), lex, batch_size=batch_size)
    meta = _doc_meta(sentences, docs)
    parsed = dict(zip(order, parsed_docs, strict=True))
    found: dict[object, _Attr] = {}  # by row label, written into the table once at the end
    for doc_id, rows in out.loc[order].groupby("doc_id", sort=False):
        attrs = _attribute_doc(rows, [parsed[k] for k in rows.index], lex, meta.get(str(doc_id), DocMeta()))
        found.update(zip(rows.index, attrs, strict=True))
    ours = [found[k] for k in out.index]
    for col in ATTRIBUTION_COLUMNS:
        out[col] = pd.array([getattr(a, col) for a in ours], dtype=out[col].dtype)
    return out


def quotes(sentences: pd.DataFrame, *, aliases: str | Path | pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per quotation span within a sentence, with offsets into the document.

    Parameters
    ----------
    sentences
        Sentences from :func:`framing.split_sentences`; if they lack ``speaker``
        and ``source``, :func:`attribute` is run first (with ``aliases``).
    aliases
        Passed to :func:`attribute` when it is run.

    Returns
    -------
    pandas.DataFrame
        Columns ``quote_id, sent_id, doc_id, start, end, text, speaker, source``.
        ``start``/``end`` are offsets into the document text (the same frame as
        the sentences' ``start``/``end``) and cover the quoted words without the
        quotation marks. A quotation that runs over several sentences gives one
        row per sentence, all with the same ``quote_id``.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"doc_id": ["d"], "sent_id": ["d:1"], "para": [1], "n": [1],
    ...     "start": [10], "end": [35], "is_title": [False],
    ...     "text": ['He called it "a mistake."']})
    >>> quotes(s)[["start", "end", "text"]].values.tolist()
    [[24, 34, 'a mistake.']]
    """
    _check(sentences)
    if not {"speaker", "source"} <= set(sentences.columns):
        sentences = attribute(sentences, aliases=aliases)
    rows: list[tuple[object, ...]] = []
    ordered = sentences.sort_values(["doc_id", "start"], kind="stable")
    for doc_id, group in ordered.groupby("doc_id", sort=False):
        for q, (qs, qe) in enumerate(document_quotes(group)):
            for r in group.itertuples(index=False):
                s, e = max(qs, int(r.start)), min(qe, int(r.end))
                piece = str(r.text)[s - int(r.start): e - int(r.start)]
                if s < e and any(ch.isalnum() for ch in piece):
                    rows.append((f"{doc_id}:q{q}", r.sent_id, doc_id, s, e, piece, r.speaker, r.source))
    return pd.DataFrame(rows, columns=QUOTE_COLUMNS).astype({"start": "int64", "end": "int64"})
