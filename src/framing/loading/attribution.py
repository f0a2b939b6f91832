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
case the source is the speaker. Sentences with no attribution, and headlines,
are the outlet's narration.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from framing.loading._lexicon import _CUES, _Lexicon, _lexicon
from framing.loading._quotes import document_quotes
from framing.loading._speakers import (
    Mode,
    _Attr,
    _resolve_subject,
    _State,
    _strip_possessive,
)

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Token

log = logging.getLogger(__name__)

NARRATOR = "narrator"
ATTRIBUTION_COLUMNS = ["speaker", "source", "mode", "cue"]
QUOTE_COLUMNS = ["quote_id", "sent_id", "doc_id", "start", "end", "text", "speaker", "source"]

_SUBJECTS = ("nsubj", "nsubjpass", "csubj")
# Children of a reporting verb that carry the reported content, not the attribution.
_CONTENT_DEPS = frozenset({"ccomp", "xcomp", "advcl", "conj", "parataxis", "csubj", "dep", "cc", "acomp"})
# "WASHINGTON (AP) — " and the like: blanked before parsing, so the city is not read as a subject.
_DATELINE = re.compile(r"^[A-Z][A-Z.'’ -]+(?:,\s*[A-Za-z. ]+)?\s*(?:\([^)]{1,30}\))?\s*[—–-]+\s+")


@lru_cache(maxsize=1)
def _nlp() -> Language:
    """The full spaCy pipeline (parser, tagger, lemmas, entities), loaded once."""
    from framing.loading.sentences import load_pipeline  # noqa: PLC0415

    return load_pipeline(exclude=())


def _subject_of(verb: Token) -> tuple[Token | None, Token | None]:
    """The subject of a reporting verb, and the verb it was taken from when not ``verb`` itself."""
    for child in verb.children:
        if child.dep_ == "agent":
            obj = next((c for c in child.children if c.dep_ == "pobj"), None)
            if obj is not None:
                return obj, None
    for child in verb.children:
        if child.dep_ in _SUBJECTS:
            return child, None
    # "Putin stressed X and warned Y"; "Scholz defended the call, saying ..."
    if verb.head.i != verb.i and (verb.dep_ == "conj" or (verb.dep_ == "advcl" and verb.tag_ == "VBG")):
        subj, _ = _subject_of(verb.head)
        return subj, verb.head
    return None, None


def _in_spans(tok: Token, spans: Sequence[tuple[int, int]]) -> bool:
    return any(s <= tok.idx < e for s, e in spans)


def _is_cue(tok: Token, lex: _Lexicon) -> str | None:
    """The cue text if ``tok`` is a reporting verb (or "according"), else None."""
    if tok.lower_ == "according" and tok.i + 1 < len(tok.doc) and tok.doc[tok.i + 1].lower_ == "to":
        return "according to"
    if tok.pos_ not in ("VERB", "AUX"):
        return None
    lemma = tok.lemma_.lower()
    particles = [c.lower_ for c in tok.children if c.dep_ == "prt"]
    for p in particles:
        if (lemma, p) in lex.phrasal:
            return f"{tok.lower_} {p}"
    if lemma in lex.cues:
        return tok.lower_
    return None


def _in_relative_clause(tok: Token) -> bool:
    if tok.dep_ == "relcl":
        return True
    return any(c.tag_ in ("WDT", "WP") and c.dep_ in ("dobj", "nsubj", "nsubjpass") for c in tok.children)


def _depth(tok: Token) -> int:
    return sum(1 for _ in tok.ancestors)


@dataclass(frozen=True)
class _Candidate:
    cue_token: Token
    cue: str
    attr: _Attr
    frame: frozenset[int]  # token indices of the attribution (speaker, cue, venue)
    content: Token | None  # head of the reported clause
    subject: Token | None = None


def _is_setting(child: Token, lex: _Lexicon) -> bool:
    """A participle clause that sets the scene of the attribution ("Speaking to reporters, ...")."""
    return (child.dep_ == "advcl" and child.lemma_.lower() in lex.settings
            and not any(c.dep_ in _SUBJECTS for c in child.children))


def _frame(cue_tok: Token, cue: str, quotes: Sequence[tuple[int, int]], lex: _Lexicon,
           inherited: Token | None = None) -> tuple[frozenset[int], Token | None]:
    """Tokens of the attribution itself, and the head of the reported clause."""
    if cue == "according to":
        content = cue_tok.head if cue_tok.head.i != cue_tok.i else None
        return frozenset(t.i for t in cue_tok.subtree), content
    idx = {cue_tok.i}
    content: Token | None = None
    heads = [cue_tok] if inherited is None else [cue_tok, inherited]
    for verb in heads:
        idx.add(verb.i)
        for child in verb.children:
            if child.i == cue_tok.i or child.i in idx:
                continue
            if child.dep_ in _CONTENT_DEPS and not _is_setting(child, lex):
                if verb is cue_tok and child.dep_ in ("ccomp", "parataxis") and content is None:
                    content = child
                continue
            sub = [t for t in child.subtree]
            # A quotation parsed into a prepositional phrase is reported content, not attribution.
            if child.dep_ not in _SUBJECTS and any(_in_spans(t, quotes) for t in sub):
                continue
            idx.update(t.i for t in sub)
    if content is None and cue_tok.dep_ in ("ccomp", "parataxis", "advcl") and cue_tok.i > cue_tok.head.i:
        content = cue_tok.head  # "..., it said" attached below the reported clause
    return frozenset(idx), content


def _candidates(doc: Doc, quotes: Sequence[tuple[int, int]], lex: _Lexicon,
                state: _State) -> list[_Candidate]:
    found: list[_Candidate] = []
    for tok in doc:
        cue = _is_cue(tok, lex)
        if cue is None or _in_spans(tok, quotes) or _in_relative_clause(tok):
            continue
        inherited = None
        if cue == "according to":
            subj = next((c for c in doc[tok.i + 1].children if c.dep_ == "pobj"), None)
            if subj is None:
                subj = next((c for c in tok.subtree if c.dep_ == "pobj"), None)
        else:
            subj, inherited = _subject_of(tok)
        if subj is None or _in_spans(subj, quotes):
            continue
        attr = _resolve_subject(subj, lex, state)
        if attr is None:
            continue
        frame, content = _frame(tok, cue, quotes, lex, inherited)
        found.append(_Candidate(tok, cue, replace(attr, cue=cue), frame, content, subj))
    found.sort(key=lambda c: (_depth(c.cue_token), c.cue_token.i))
    return found


def _tail_candidate(doc: Doc, quotes: Sequence[tuple[int, int]], lex: _Lexicon,
                    state: _State) -> _Candidate | None:
    """A sentence-final attribution the parser missed ("..., the Kremlin press service reported.").

    The words after the last comma outside quotations are parsed on their own.
    """
    commas = [t for t in doc if t.text == "," and not _in_spans(t, quotes) and t.i < len(doc) - 2]
    if not commas:
        return None
    cut = commas[-1].i + 1
    while cut < len(doc) and doc[cut].text in "”’\"'":
        cut += 1
    tail = doc[cut:]
    if not 2 <= len(tail) <= 14 or any(_in_spans(t, quotes) for t in tail):
        return None
    sub = _nlp()(tail.text)
    found = [c for c in _candidates(sub, [], lex, state) if c.cue_token.dep_ == "ROOT"]
    if found:
        cue_tok, cue, attr = found[0].cue_token, found[0].cue, found[0].attr
    else:  # the parser read "the press service reported" as a noun phrase: the words before the verb
        cue_tok = next((t for t in sub if t.i > 0 and _is_cue(t, lex)), None)
        if cue_tok is None or sub[cue_tok.i - 1].pos_ not in ("NOUN", "PROPN", "PRON"):
            return None
        who = _resolve_subject(sub[cue_tok.i - 1], lex, state)
        if who is None:
            return None
        cue, attr = cue_tok.lower_, replace(who, cue=cue_tok.lower_)
    root = doc[cut - 1].sent.root
    content = root if root.i < cut else None
    return _Candidate(cue_tok, cue, attr, frozenset(range(cut - 1, len(doc))), content)


def _elsewhere(cand: _Candidate, lex: _Lexicon, doc: Doc) -> bool:
    """Whether the attribution places the words outside the call (venue or other occasion)."""
    words = " " + " ".join(doc[i].lower_ for i in sorted(cand.frame) if i < len(doc)) + " "
    if any(f" {v} " in words for v in lex.venues):
        return True
    tok = cand.cue_token
    while tok.head.i != tok.i:
        if tok.dep_ in ("advcl", "prep", "pcomp") and any(
            c.dep_ in ("mark", "prep") and c.lower_ in lex.after for c in tok.children
        ):
            return True
        if tok.lower_ in lex.after and tok.dep_ in ("mark", "prep"):
            return True
        tok = tok.head
    return False


def _content_speaker(cand: _Candidate, lex: _Lexicon, state: _State,
                     quotes: Sequence[tuple[int, int]]) -> str | None:
    """A person of the same side named as subject of the reported clause ("said Johnson had ...")."""
    if cand.content is None:
        return None
    for subj in cand.content.children:
        # "we" inside a quotation is the speaker itself; "Putin and Scholz held talks" is nobody's words
        if subj.dep_ not in ("nsubj", "nsubjpass") or _in_spans(subj, quotes):
            continue
        if any(c.dep_ == "conj" for c in subj.children):
            continue
        who = _resolve_subject(subj, lex, state)
        if who is None or who.kind not in ("leader", "person"):
            continue
        if who.kind == "leader" and who.source != cand.attr.source:
            continue
        return who.speaker
    return None


def _finish(cand: _Candidate, lex: _Lexicon, state: _State, quotes: Sequence[tuple[int, int]],
            elsewhere: bool) -> _Attr:
    attr = cand.attr
    if not attr.source.endswith(" readout"):
        return attr
    if elsewhere:
        return replace(attr, source=attr.speaker, kind="person")
    if attr.kind in ("leader", "spokesperson") and state.parties and attr.source not in state.parties:
        return replace(attr, source=attr.speaker, kind="person")
    if attr.kind in ("issuer", "spokesperson"):
        speaker = _content_speaker(cand, lex, state, quotes)
        if speaker:
            attr = replace(attr, speaker=speaker)
    return attr


def _mode(doc: Doc, quotes: Sequence[tuple[int, int]], frame: Iterable[int]) -> Mode:
    frame = set(frame)
    content = [t for t in doc if not (t.is_punct or t.is_space) and t.i not in frame]
    quoted = [t for t in content if _in_spans(t, quotes)]
    if not quoted:
        return "indirect"
    outside = [t for t in content if not _in_spans(t, quotes) and t.dep_ not in ("mark", "cc")
               and t.is_alpha]
    return "direct" if not outside else "mixed"


def _fully_quoted(doc: Doc, quotes: Sequence[tuple[int, int]]) -> bool:
    words = [t for t in doc if t.is_alpha]
    return bool(words) and all(_in_spans(t, quotes) for t in words)


def _mentions(doc: Doc, text: str, lex: _Lexicon, state: _State) -> None:
    for ent in doc.ents:
        if ent.label_ == "PERSON":
            name = _strip_possessive(" ".join(
                t.text for t in ent if t.lower_ not in lex.titles and not t.is_punct))
            alias = lex.lookup(name)
            if alias is not None and alias.speaker:
                name = alias.speaker
            if " " in name and name not in state.persons:
                state.persons.append(name)
    for _, _, alias in lex.find(text):
        if alias.kind == "leader" and alias.speaker:
            state.leaders.append(alias)


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


def _attribute_doc(rows: pd.DataFrame, docs: Sequence[Doc], lex: _Lexicon) -> list[_Attr]:
    doc_quotes = document_quotes(rows)
    starts = rows["start"].astype(int).tolist()
    ends = rows["end"].astype(int).tolist()
    titles = rows["is_title"].astype(bool).tolist() if "is_title" in rows else [False] * len(rows)
    paras = rows["para"].astype(int).tolist() if "para" in rows else list(range(len(rows)))
    body = [i for i, t in enumerate(titles) if not t]
    lead_end = next((i for i in body if paras[i] != paras[body[0]]), len(rows)) if body else 0
    state = _State(parties=_parties(rows["text"].astype(str).tolist(), lead_end, lex))
    local = [[(max(s, st) - st, min(e, en) - st) for s, e in doc_quotes if s < en and e > st]
             for st, en in zip(starts, ends, strict=True)]
    out: list[_Attr | None] = [None] * len(rows)
    pending: list[int] = []  # wholly quoted sentences waiting for the attribution of their quotation
    for i, doc in enumerate(docs):
        if titles[i]:
            out[i] = _Attr("", NARRATOR, "other", "", "narration")
            continue
        cands = _candidates(doc, local[i], lex, state)
        cand = cands[0] if cands else _tail_candidate(doc, local[i], lex, state)
        if cand is not None:
            attr = _finish(cand, lex, state, local[i], _elsewhere(cand, lex, doc))
            attr = replace(attr, mode=_mode(doc, local[i], cand.frame))
            is_person = attr.kind in ("leader", "person", "spokesperson") or (
                attr.speaker != lex.bodies.get(attr.source, attr.source) and attr.kind != "other")
            state.remember(attr, is_person=is_person)
            out[i] = attr
            for j in pending:  # "“A. B,” he said." credits A to the speaker of B
                if _same_quote(doc_quotes, starts, ends, j, i):
                    out[j] = replace(attr, cue="", mode="direct")
            pending = []
        elif _fully_quoted(doc, local[i]):
            prev = out[i - 1] if i else None
            if prev is not None and prev.mode != "narration" and paras[i] - paras[i - 1] <= 1:
                out[i] = replace(prev, cue="", mode="direct")
            else:
                pending.append(i)
        _mentions(doc, str(rows["text"].iloc[i]), lex, state)
        if out[i] is None and not (pending and pending[-1] == i):
            pending = []
    return [a if a is not None else _Attr("", NARRATOR, "other", "", "narration") for a in out]


def _same_quote(spans: Sequence[tuple[int, int]], starts: Sequence[int], ends: Sequence[int],
                j: int, i: int) -> bool:
    """Whether sentence j's quotation runs on into sentence i (possibly across a paragraph)."""
    inside_j = [(s, e) for s, e in spans if s < ends[j] and e > starts[j]]
    inside_i = [(s, e) for s, e in spans if s < ends[i] and e > starts[i]]
    if not inside_j or not inside_i:
        return False
    return any(a == b for a in inside_j for b in inside_i) or i == j + 1


def _check(sentences: pd.DataFrame) -> None:
    missing = {"doc_id", "sent_id", "start", "end", "text"} - set(sentences.columns)
    if missing:
        raise ValueError(
            f"the sentences table lacks {sorted(missing)}; pass the output of framing.split_sentences"
        )


def _parse(texts: Sequence[str], *, batch_size: int = 64) -> list[Doc]:
    # Same-length substitutions keep character offsets: no-break spaces and
    # curly apostrophes confuse the tagger ("There’s" is read as a verb "’").
    cleaned = [re.sub(r"(?<=\w)’(?=\w)", "'", t.replace("\xa0", " ")) for t in texts]
    cleaned = [_DATELINE.sub(lambda m: " " * len(m.group(0)), t) for t in cleaned]
    return list(_nlp().pipe(cleaned, batch_size=batch_size))


def attribute(sentences: pd.DataFrame, *, aliases: str | Path | pd.DataFrame | None = None,
              cues: str | Path = _CUES, batch_size: int = 64) -> pd.DataFrame:
    """Add who says what to every sentence: ``speaker``, ``source``, ``mode`` and ``cue``.

    Parameters
    ----------
    sentences
        The table from :func:`framing.split_sentences` (``doc_id, sent_id, para,
        n, start, end, text, is_title``). Sentences of a document are read in
        order of ``start``, since attribution carries over from one to the next.
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
        reporting verb or phrase, empty when none).

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
    docs = _parse(out.loc[order, "text"].astype(str).tolist(), batch_size=batch_size)
    parsed = dict(zip(order, docs, strict=True))
    for _, rows in out.loc[order].groupby("doc_id", sort=False):
        attrs = _attribute_doc(rows, [parsed[k] for k in rows.index], lex)
        for k, a in zip(rows.index, attrs, strict=True):
            out.loc[k, ATTRIBUTION_COLUMNS] = [a.speaker, a.source, a.mode, a.cue]
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
