"""Documents that are an account themselves, and lines that repeat another line.

A readout (a document whose manifest ``kind`` is ``readout``) is its issuer's
account from the first sentence to the last: every sentence's source is the
issuer's readout, and its speaker is the person the sentence reports (a role
such as "the Prime Minister" resolved on the document's date), both parties
for "The leaders agreed", or the issuer itself for passive and descriptive
sentences ("It was noted that ...", "The call lasted an hour").

A pull-quote repeats words the body quotes; it takes the attribution of the
sentence it repeats.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING

from framing.loading._cues import _Candidate, _content_speaker, _fully_quoted, _mode
from framing.loading._lexicon import _Lexicon
from framing.loading._roles import _Roles
from framing.loading._speakers import _Attr, _resolve_subject, _State, both

if TYPE_CHECKING:
    from spacy.tokens import Doc

READOUT_CUE = "readout document"
_SUBJECTS_OF_ROOT = ("nsubj", "nsubjpass")
_FOLD = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "\xa0": " "})


@dataclass(frozen=True)
class DocMeta:
    """What the manifest says about a document: its kind, issuer and date."""

    kind: str = ""
    issuer: str = ""
    on: date | None = None


def issuer_attr(meta: DocMeta, lex: _Lexicon, table: _Roles) -> tuple[_Attr | None, str | None]:
    """The issuer of a readout document as an attribution, and the issuer's country."""
    if meta.kind.strip().lower() != "readout" or not meta.issuer.strip():
        return None, None
    name = meta.issuer.strip()
    alias = lex.lookup(name)
    if alias is not None and alias.source:
        attr = _Attr(alias.speaker or name, alias.source, "issuer")
        country = alias.country or table.by_issuer.get(alias.speaker or name)
    else:
        attr = _Attr(name, f"{name} readout", "issuer")
        country = table.by_issuer.get(name)
    return attr, country


def _side_person(name: str, state: _State, body: _Attr | None = None) -> str:
    """"the British side" in a readout: the party of that country, else its leader."""
    table = state.roles
    if table is None:
        return name
    if body is not None:  # another side's issuing body
        code = next((c for c, v in table.countries.items() if v.issuer == body.speaker), None)
        codes = [code] if code else []
    elif re.search(r"\b(side|delegation|party)\b", name.lower()):
        codes = table.countries_in(name)
    else:
        return name
    if not codes:
        return name
    for person in state.participants:
        if table.country_of(person, state.on) == codes[-1]:
            return person
    return table.leader(codes[-1], state.on) or name


def in_readout(doc: Doc, cand: _Candidate | None, quotes: Sequence[tuple[int, int]], lex: _Lexicon,
               state: _State, issuer: _Attr) -> _Attr:
    """The attribution of one sentence of the issuer's own readout."""
    speaker: str | None = None
    cue = READOUT_CUE
    pair = both(state, lex)
    if cand is not None:
        who = cand.attr
        if "role: " in who.cue:
            cue = f"{cue}; {who.cue[who.cue.index('role: '):]}"
        if who.kind in ("leader", "person", "spokesperson") and who.speaker:
            speaker = who.speaker
        elif who.kind == "other" and who.speaker:
            speaker = _side_person(who.speaker, state)
        elif who.kind == "issuer" and who.source != issuer.source:
            speaker = _side_person(who.speaker, state, who)  # "the British side expressed concern"
        elif who.kind == "issuer":
            speaker = _content_speaker(cand, lex, state, quotes)
    else:
        root = doc[:].root if len(doc) else None
        subj = next((c for c in root.children if c.dep_ in _SUBJECTS_OF_ROOT), None) if root else None
        if subj is not None:
            who = _resolve_subject(subj, lex, state)
            describes = root.lemma_.lower() in lex.descriptions
            if who is not None and who.speaker and (who.speaker == pair or (
                    who.kind in ("leader", "person", "spokesperson") and not describes)):
                speaker = who.speaker
                if "role: " in who.cue:
                    cue = f"{cue}; {who.cue}"
    mode = _mode(doc, quotes, cand.frame if cand is not None else ())
    if cand is None and not _fully_quoted(doc, quotes):
        mode = "indirect"
    return _Attr(speaker or issuer.speaker, issuer.source, "issuer", cue, mode)


def _fold(text: str) -> str:
    text = text.translate(_FOLD).lower()
    text = re.sub(r"[^\w\s']", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def pull_quotes(texts: Sequence[str], titles: Sequence[bool], paras: Sequence[int]) -> dict[int, int]:
    """Sentences that repeat words of another sentence of the document: {repeat: original}.

    Of two sentences with the same words, the repeat is the one standing alone in
    its paragraph (a pull-quote), or else the later one.
    """
    folded = [_fold(t) for t in texts]
    alone = [paras.count(p) == 1 for p in paras]
    out: dict[int, int] = {}
    for i, short in enumerate(folded):
        if titles[i] or len(short.split()) < 4:
            continue
        for j, long in enumerate(folded):
            if j == i or titles[j] or j in out or f" {short} " not in f" {long} ":
                continue
            if len(long) > len(short) or (alone[i], i) > (alone[j], j):
                out[i] = j
                break
    return out


def same_attr(attr: _Attr) -> _Attr:
    """A pull-quote's attribution: the original's, marked as a repeat."""
    return replace(attr, cue="pull-quote", mode="direct")
